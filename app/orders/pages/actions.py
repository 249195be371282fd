"""Send, cancel, delete and order again: htmx gets the row back, a form post a redirect."""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import error_response
from app.flashes import Message, flash_progress
from app.htmx import wants_fragment
from app.models import OrderStatus
from app.orders.drafts import (
    OrderConflict,
    OrderInputError,
    StaleRevision,
    copy_as_draft,
    delete_draft,
    draft_moved_on,
)
from app.orders.pages import bp
from app.orders.pages.confirmations import confirmation
from app.orders.pages.conflicts import DELETE, SEND, action_conflict
from app.orders.pages.revisions import linked_revision, seen_revision
from app.orders.queries import get_own_order, summarise
from app.orders.sending import request_cancel, request_send
from app.urls import local_path


def back_to(order_id: uuid.UUID | None) -> str:
    where = url_for("orders.show", order_id=order_id) if order_id else url_for("orders.dashboard")
    return local_path(request.form.get("next"), where)


def respond(order_id: uuid.UUID, text: str, target: str, holds_while: str | None = None):
    """The row and message for htmx, else a redirect to `target` (checked before the action).
    A message that `holds_while` the order is in a status goes when it moves on."""
    message = Message("success", text, str(order_id) if holds_while else None, holds_while)
    if wants_fragment(f"order-{order_id}"):
        order = get_own_order(order_id) if holds_while else None
        summary = summarise(order) if order else None
        return render_template(
            "orders/_row_update.html", order=order, summary=summary, message=message
        )
    if holds_while:
        flash_progress(order_id, holds_while, text)
    else:
        flash(text, "success")
    return redirect(target, 303)


def refuse(order_id: uuid.UUID, code: int, message: str):
    if wants_fragment():
        return error_response(code, message)
    flash(message, "error")
    return redirect(back_to(order_id), 303)


@bp.post("/orders/<uuid:order_id>/send")
@login_required
def send(order_id: uuid.UUID):
    order = get_own_order(order_id)
    seen = seen_revision()
    target = back_to(order_id)
    if order.status == OrderStatus.DRAFT and request_send(order.id, seen):
        text = _("Sending your order to processing…")
        return respond(order_id, text, target, OrderStatus.SENDING)
    if draft_moved_on(order_id, seen):
        return action_conflict(get_own_order(order_id), SEND)
    return refuse(order_id, 409, _("This order is not a draft any more; it was sent already."))


@bp.post("/orders/<uuid:order_id>/cancel")
@login_required
def cancel(order_id: uuid.UUID):
    order = get_own_order(order_id)
    target = back_to(order_id)
    if not request_cancel(order.id):
        return refuse(order_id, 409, _("Only an order in processing can be cancelled."))
    text = _("Order cancelled. If the provider finishes it anyway, its timeline will say so.")
    return respond(order_id, text, target, OrderStatus.CANCELLED)


@bp.post("/orders/<uuid:order_id>/order-again")
@login_required
def order_again(order_id: uuid.UUID):
    order = get_own_order(order_id)
    try:
        draft, gone = copy_as_draft(current_user.id, order)
    except OrderInputError as error:
        return refuse(order_id, 422, str(error))
    copied = _("A new draft with the same services, at today's prices.")
    flash_progress(draft.id, OrderStatus.DRAFT, copied)
    if gone:
        names = ", ".join(gone)
        flash(_("Left out, no longer in the catalog: %(names)s", names=names), "warning")
    return redirect(url_for("orders.show", order_id=draft.id), 303)


def ask_first(order_id: uuid.UUID, allowed: str, refusal: str, action: str, **extra):
    """The confirmation page for browsers without JavaScript (of the `?revision=` that asked);
    the same words as the in-page dialog."""
    order = get_own_order(order_id)
    if order.status != allowed:
        return refuse(order_id, 409, refusal)
    action_url = url_for(f"orders.{action}", order_id=order.id)
    revision = None
    if order.status == OrderStatus.DRAFT:
        revision = linked_revision(request.args)
        revision = order.revision if revision is None else revision
    return render_template(
        "orders/confirm.html",
        order=order,
        action_url=action_url,
        revision=revision,
        asks=confirmation(order, action),
        **extra,
    )


@bp.get("/orders/<uuid:order_id>/cancel")
@login_required
def confirm_cancel(order_id: uuid.UUID):
    refusal = _("Only an order in processing can be cancelled.")
    return ask_first(order_id, OrderStatus.IN_PROCESSING, refusal, "cancel")


@bp.get("/orders/<uuid:order_id>/delete")
@login_required
def confirm_delete(order_id: uuid.UUID):
    refusal = _("Only drafts can be deleted.")
    next_url = url_for("orders.dashboard")
    return ask_first(order_id, OrderStatus.DRAFT, refusal, "delete", next_url=next_url)


@bp.post("/orders/<uuid:order_id>/delete")
@login_required
def delete(order_id: uuid.UUID):
    get_own_order(order_id)
    seen = seen_revision()
    target = back_to(None)
    try:
        delete_draft(order_id, seen)
    except StaleRevision:
        return action_conflict(get_own_order(order_id), DELETE)
    except OrderConflict as error:
        return refuse(order_id, 409, str(error))
    return respond(order_id, _("Draft deleted."), target)
