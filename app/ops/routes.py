"""The console's pages and the operators' actions. Each page's live part is a partial that
htmx reloads every OPS_REFRESH_SECONDS; an htmx request for it gets only the partial."""

import uuid

import redis
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.errors import error_response
from app.htmx import wants_fragment
from app.ops import actions, bp, jobs
from app.ops.health import gather
from app.ops.queries import AGES, Filters, list_orders, needing_attention, order_story
from app.orders.transitions import ChangeRefused
from app.queue_info import queue_states, workers


def page_or_part(template: str, part: str, element_id: str, **context):
    """The whole page, or only its live part when htmx asked to refresh that."""
    return render_template(part if wants_fragment(element_id) else template, **context)


@bp.get("/")
def index():
    filters = Filters.from_args(request.args)
    return page_or_part(
        "ops/index.html",
        "ops/_orders.html",
        "ops-orders",
        attention=needing_attention(),
        listing=list_orders(filters),
        ages=AGES,
    )


@bp.get("/orders/<uuid:order_id>")
def order(order_id: uuid.UUID):
    story = order_story(order_id)
    return page_or_part("ops/order.html", "ops/_story.html", "ops-story", story=story)


@bp.get("/health")
def health():
    return page_or_part("ops/health.html", "ops/_health.html", "ops-health", health=gather())


@bp.get("/queues")
def queues():
    try:
        context = {
            "queues": queue_states(),
            "workers": workers(),
            "failed": jobs.failed_jobs(),
        }
    except redis.RedisError:
        return error_response(503, _("Redis is not answering, so the queues cannot be read."))
    return page_or_part("ops/queues.html", "ops/_queues.html", "ops-queues", **context)


def done(message: str, to: str):
    flash(message, "success")
    return redirect(to, 303)


def refused(message: str, code: int, to: str):
    if wants_fragment():
        return error_response(code, message)
    flash(message, "error")
    return redirect(to, 303)


def run_order_action(order_id: uuid.UUID, action, *args):
    """Run one operator action on an order and answer as its outcome asks."""
    back = url_for("ops.order", order_id=order_id)
    try:
        message = action(order_id, current_user, *args)
    except actions.OrderMissing:
        abort(404)
    except ChangeRefused as error:
        return refused(str(error), 409, back)
    except actions.ActionInvalid as error:
        story = order_story(order_id)
        html = render_template(
            "ops/order.html", story=story, form_error=str(error), form=request.form
        )
        return html, 422
    except redis.RedisError:
        return refused(_("Redis is not answering; nothing was changed. Try again."), 503, back)
    return done(message, back)


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


def run_job_action(job_id: str, action, message):
    back = url_for("ops.queues")
    try:
        action(job_id, current_user.email)
    except jobs.JobMissing:
        return refused(_("There is no such failed job (any more)."), 404, back)
    except redis.RedisError:
        return refused(_("Redis is not answering; nothing was changed."), 503, back)
    return done(str(message), back)


@bp.post("/queues/failed/<job_id>/requeue")
def requeue_job(job_id: str):
    return run_job_action(job_id, jobs.requeue_failed, _l("The job is queued again."))


@bp.post("/queues/failed/<job_id>/delete")
def delete_job(job_id: str):
    return run_job_action(job_id, jobs.delete_failed, _l("The failed job is deleted."))
