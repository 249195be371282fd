"""The webhooks section of the account page (auth/_webhooks.html) and each endpoint's
delivery log (app/webhooks/service.py does the work). A new or rotated secret is shown in the
answer to the POST that made it, once: never in a redirect, a flash or the session cookie."""

import uuid
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import token_pages
from app.webhooks import service
from app.webhooks.events import ORDER_TYPES

bp = Blueprint("webhooks", __name__, url_prefix="/account/webhooks")


@bp.app_context_processor
def template_globals() -> dict:
    return {
        "webhook_section": webhook_section,
        "webhook_event_types": ORDER_TYPES,
    }


def webhook_section() -> dict:
    """What auth/_webhooks.html shows: the endpoints, and the form's input, errors and secret."""
    return {
        "endpoints": service.list_endpoints(current_user.id),
        "url": g.get("webhook_url", ""),
        "chosen": g.get("webhook_types", list(ORDER_TYPES)),
        "error": g.get("webhook_error"),
        "secret": g.get("webhook_secret"),
        "now": datetime.now(UTC),
    }


def account_page(status: int):
    return token_pages.account_page(), status


@bp.post("")
@login_required
def create():
    g.webhook_url = request.form.get("url", "")[:3000]
    g.webhook_types = request.form.getlist("event_types")
    try:
        endpoint, secret = service.create_endpoint(current_user.id, g.webhook_url, g.webhook_types)
    except service.EndpointError as error:
        g.webhook_error = error
        return account_page(422)
    g.webhook_url, g.webhook_types = "", list(ORDER_TYPES)
    g.webhook_secret = {"endpoint_id": endpoint.id, "value": secret}
    return account_page(201)


def owned(action, endpoint_id: uuid.UUID, **options):
    """The service's action on one of the customer's own endpoints; any other is a 404 (the
    service checks whose it is)."""
    try:
        return action(current_user.id, endpoint_id, **options)
    except service.NotFound:
        abort(404)


def back_to_webhooks(message: str):
    flash(message, "success")
    return redirect(url_for("auth.account", _anchor="webhooks-title"), 303)


@bp.post("/<uuid:endpoint_id>/rotate")
@login_required
def rotate(endpoint_id: uuid.UUID):
    secret = owned(service.rotate_secret, endpoint_id)
    g.webhook_secret = {"endpoint_id": endpoint_id, "value": secret, "rotated": True}
    return account_page(200)


@bp.post("/<uuid:endpoint_id>/disable")
@login_required
def disable(endpoint_id: uuid.UUID):
    owned(service.update_endpoint, endpoint_id, enabled=False)
    return back_to_webhooks(
        _("The endpoint is disabled: nothing is sent to it until you enable it.")
    )


@bp.post("/<uuid:endpoint_id>/enable")
@login_required
def enable(endpoint_id: uuid.UUID):
    owned(service.update_endpoint, endpoint_id, enabled=True)
    return back_to_webhooks(_("The endpoint is enabled: the events waiting for it are sent now."))


@bp.post("/<uuid:endpoint_id>/delete")
@login_required
def delete(endpoint_id: uuid.UUID):
    owned(service.delete_endpoint, endpoint_id)
    return back_to_webhooks(_("The endpoint is deleted."))


@bp.post("/<uuid:endpoint_id>/test")
@login_required
def test(endpoint_id: uuid.UUID):
    owned(service.fire_test, endpoint_id)
    flash(_("A test event is on its way; its delivery shows here in a moment."), "success")
    return redirect(url_for("webhooks.log", endpoint_id=endpoint_id), 303)


@bp.get("/<uuid:endpoint_id>")
@login_required
def log(endpoint_id: uuid.UUID):
    endpoint = owned(service.get_endpoint, endpoint_id)
    return render_template(
        "auth/webhook_log.html",
        hook=endpoint,
        events=service.list_events(current_user.id, endpoint_id),
        deliveries=service.list_deliveries(current_user.id, endpoint_id),
    )


@bp.post("/events/<uuid:event_id>/again")
@login_required
def send_again(event_id: uuid.UUID):
    try:
        event = service.redeliver(current_user.id, event_id)
    except service.NotFound:
        abort(404)
    flash(_("The event is sent again."), "success")
    return redirect(url_for("webhooks.log", endpoint_id=event.endpoint_id), 303)
