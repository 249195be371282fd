"""What an operator may do: retry a send, re-check an order's status, resolve a send whose outcome
stays unknown (each done by the orders package, as by the command line), run a failed job again
or delete it (rq-dashboard is not mounted: see the README's Operations section for why)."""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from app.extensions import db, get_redis
from app.models import Order, User
from app.orders.sending.resolution import ProviderIdTaken, resolve_send, retry_send
from app.orders.sync import recheck_status
from app.orders.transitions import acknowledge_after_cancel
from app.queue import get_queue
from app.queue_info import aware, queue_names
from app.reasons import localized

log = logging.getLogger(__name__)

MAX_NOTE = 500
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


class ActionInvalid(ValueError):
    """The operator's input cannot be used (HTTP 422)."""


def retry_send_now(order_id: uuid.UUID, operator: User) -> str:
    db.get_or_404(Order, order_id)
    if not retry_send(order_id, operator.id):
        return _("The retry could not be queued (Redis); the minute job will queue it.")
    return _("A new send attempt is queued.")


def recheck_now(order_id: uuid.UUID, operator: User) -> str:
    db.get_or_404(Order, order_id)
    answer = recheck_status(order_id, operator.id)
    return _("Re-checked: %(answer)s", answer=localized(answer))


def checked_note(note: str, missing: str | None = None) -> str:
    note = " ".join(note.split())
    if not note:
        raise ActionInvalid(missing or _("Write a note saying how the send was resolved."))
    if len(note) > MAX_NOTE:
        raise ActionInvalid(
            ngettext(
                "The note is too long (at most %(num)d character).",
                "The note is too long (at most %(num)d characters).",
                MAX_NOTE,
            )
        )
    return note


def checked_external_uuid(value: str) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError as error:
        raise ActionInvalid(_("The provider’s id must be a UUID.")) from error


def resolve_unknown_send(order_id: uuid.UUID, operator: User, note: str, external_uuid: str) -> str:
    """Settle a send nobody could confirm: registered under the provider id the operator
    found (→ In processing), or not registered at all (→ Draft, the customer may send again)."""
    db.get_or_404(Order, order_id)
    note, external = checked_note(note), checked_external_uuid(external_uuid)
    try:
        resolve_send(order_id, external, operator.id, note)
    except ProviderIdTaken as error:
        raise ActionInvalid(str(error)) from error
    return _("Resolved: in processing.") if external else _("Resolved: back to draft.")


def acknowledge_finished_after_cancel(order_id: uuid.UUID, operator: User, note: str) -> str:
    """The provider finished an order cancelled here: an operator says it is dealt with."""
    db.get_or_404(Order, order_id)
    missing = _("Write a note saying what was done about it (a refund, a word with the customer).")
    acknowledge_after_cancel(order_id, checked_note(note, missing), operator.id)
    db.session.commit()
    return _("Acknowledged; the order no longer needs attention.")


class JobMissing(LookupError):
    """No failed job with this id."""


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    description: str
    failed_at: datetime | None
    error: str

    @classmethod
    def of(cls, job: Job, queue: str) -> "FailedJob":
        return cls(
            id=job.id,
            queue=queue,
            description=(job.description or job.func_name or "")[:200],
            failed_at=aware(job.ended_at) if job.ended_at else None,
            error=last_line(job),
        )


def last_line(job: Job) -> str:
    """The exception's last line: usually the type and message."""
    text = getattr(job.latest_result(), "exc_string", None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else _("no error recorded")


def failed_jobs(limit: int = 50) -> list[FailedJob]:
    found = []
    for name in queue_names():
        registry = FailedJobRegistry(name, connection=get_redis())
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs = Job.fetch_many(ids, connection=get_redis())
        found += [FailedJob.of(job, name) for job in jobs if job is not None]
    return sorted(
        found, key=lambda j: j.failed_at or datetime.min.replace(tzinfo=UTC), reverse=True
    )[:limit]


def find_failed(job_id: str) -> tuple[Job, FailedJobRegistry]:
    if not JOB_ID.fullmatch(job_id):
        raise JobMissing(job_id)
    for name in queue_names():
        registry = FailedJobRegistry(queue=get_queue(name))
        if job_id in registry:
            try:
                return Job.fetch(job_id, connection=get_redis()), registry
            except NoSuchJobError as error:
                raise JobMissing(job_id) from error
    raise JobMissing(job_id)


def requeue_failed(job_id: str, operator_email: str) -> None:
    job, registry = find_failed(job_id)
    registry.requeue(job)
    log.info("failed job %s requeued by %s", job_id, operator_email)


def delete_failed(job_id: str, operator_email: str) -> None:
    job, registry = find_failed(job_id)
    registry.remove(job, delete_job=True)
    log.info("failed job %s deleted by %s", job_id, operator_email)
