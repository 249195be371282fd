"""The job queues' failed jobs, and what an operator may do with one: run it again or delete it.

rq-dashboard is not mounted: see the README's Operations section for why.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from app.extensions import get_redis
from app.queue import get_queue
from app.queue_info import aware, queue_names

log = logging.getLogger(__name__)

JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


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
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else _("no error recorded")


def failed_jobs(limit: int = 50) -> list[FailedJob]:
    """The most recent failed jobs of every queue."""
    found = []
    for name in queue_names():
        registry = FailedJobRegistry(name, connection=get_redis())
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs = Job.fetch_many(ids, connection=get_redis())
        found += [FailedJob.of(job, name) for job in jobs if job is not None]
    return sorted(found, key=lambda j: j.failed_at or datetime.min, reverse=True)[:limit]


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
