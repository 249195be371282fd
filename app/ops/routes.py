"""The console's pages and the operators' actions. Each page's live part is a partial that
htmx reloads every OPS_REFRESH_SECONDS; an htmx request for it gets only the partial."""

import uuid

import redis
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user

from app.errors import error_response
from app.htmx import wants_fragment
from app.ops import actions, bp
from app.ops.queries import AGES, Filters, gather, list_orders, needing_attention, order_story
from app.orders.transitions import ChangeRefused
from app.queue_info import queue_states, workers
from app.webhooks import console

OUTCOMES = {
    "call": {
        "registered": _l("registered"),
        "rejected": _l("rejected"),
        "retried": _l("will be retried"),
        "unknown": _l("outcome unknown"),
        "answered": _l("answered"),
        "not_found": _l("not found"),
        "failed": _l("failed"),
        "unreachable": _l("unreachable"),
        "skipped": _l("skipped"),
    },
    "run": {
        "done": _l("done"),
        "locked": _l("another run was going"),
        "error": _l("error"),
        "paused": _l("paused"),
        "busy": _l("busy"),
        "fanned_out": _l("split into jobs"),
        "lock_lost": _l("lock lost"),
        "provider_down": _l("provider down"),
        "rate_limited": _l("asked to wait"),
    },
}


def worker_states() -> dict[str, str]:
    """A worker's state, as RQ names it, in the reader's language."""
    return {
        "starting": pgettext("worker state", "starting"),
        "started": pgettext("worker state", "started"),
        "idle": pgettext("worker state", "idle"),
        "busy": pgettext("worker state", "busy"),
        "suspended": pgettext("worker state", "suspended"),
    }


@bp.app_template_filter("outcome")
def outcome_label(outcome, kind: str) -> str:
    """The outcome in the reader's language; an unknown one as it is, made readable."""
    outcome = str(getattr(outcome, "value", outcome))  # RQ's states are enums
    labels = worker_states() if kind == "worker" else OUTCOMES[kind]
    return str(labels.get(outcome, outcome.replace("_", " ")))


def page_or_part(template: str, part: str, element_id: str, **context):
    return render_template(part if wants_fragment(element_id) else template, **context)


@bp.get("/")
def index():
    listing = list_orders(Filters.from_args(request.args))
    context = {"attention": needing_attention(), "listing": listing, "ages": AGES}
    return page_or_part("ops/index.html", "ops/_orders.html", "ops-orders", **context)


@bp.get("/orders/<uuid:order_id>")
def order(order_id: uuid.UUID):
    story = order_story(order_id)
    return page_or_part("ops/order.html", "ops/_story.html", "ops-story", story=story)


@bp.get("/health")
def health():
    return page_or_part("ops/health.html", "ops/_health.html", "ops-health", health=gather())


@bp.get("/webhooks")
def webhooks():
    context = {"backlog": console.delivery_backlog(), "failing": console.failing_endpoints()}
    return page_or_part("ops/webhooks.html", "ops/_webhooks.html", "ops-webhooks", **context)


@bp.get("/queues")
def queues():
    try:
        context = {"queues": queue_states(), "workers": workers(), "failed": actions.failed_jobs()}
    except redis.RedisError:
        return error_response(503, _("Redis is not answering, so the queues cannot be read."))
    return page_or_part("ops/queues.html", "ops/_queues.html", "ops-queues", **context)


def go_back(to: str, message: str, error_code: int | None = None):
    """Back to `to` with the message flashed; an error for htmx is only its message."""
    if error_code and wants_fragment():
        return error_response(error_code, message)
    flash(message, "error" if error_code else "success")
    return redirect(to, 303)


def run_order_action(order_id: uuid.UUID, action, *args):
    back = url_for("ops.order", order_id=order_id)
    try:
        message = action(order_id, current_user, *args)
    except ChangeRefused as error:
        return go_back(back, str(error), 409)
    except actions.ActionInvalid as error:
        context = {"story": order_story(order_id), "form_error": str(error), "form": request.form}
        return render_template("ops/order.html", **context), 422
    except redis.RedisError:
        return go_back(back, _("Redis is not answering; nothing was changed. Try again."), 503)
    return go_back(back, message)


@bp.post("/orders/<uuid:order_id>/retry-send")
def retry_send(order_id: uuid.UUID):
    return run_order_action(order_id, actions.retry_send_now)


@bp.post("/orders/<uuid:order_id>/recheck")
def recheck(order_id: uuid.UUID):
    return run_order_action(order_id, actions.recheck_now)


@bp.post("/orders/<uuid:order_id>/resolve")
def resolve(order_id: uuid.UUID):
    note = request.form.get("note", "")
    external_uuid = request.form.get("external_uuid", "")
    return run_order_action(order_id, actions.resolve_unknown_send, note, external_uuid)


@bp.post("/orders/<uuid:order_id>/acknowledge")
def acknowledge(order_id: uuid.UUID):
    note = request.form.get("note", "")
    return run_order_action(order_id, actions.acknowledge_finished_after_cancel, note)


def run_job_action(job_id: str, action, message):
    back = url_for("ops.queues")
    try:
        action(job_id, current_user.email)
    except actions.JobMissing:
        return go_back(back, _("There is no such failed job (any more)."), 404)
    except redis.RedisError:
        return go_back(back, _("Redis is not answering; nothing was changed."), 503)
    return go_back(back, str(message))


@bp.post("/queues/failed/<job_id>/requeue")
def requeue_job(job_id: str):
    return run_job_action(job_id, actions.requeue_failed, _l("The job is queued again."))


@bp.post("/queues/failed/<job_id>/delete")
def delete_job(job_id: str):
    return run_job_action(job_id, actions.delete_failed, _l("The failed job is deleted."))
