"""What an operator may do to an order: retry a send now, re-check its status now, and resolve
a send whose outcome stays unknown. The orders package does each, through the same guarded
paths as the command line, and writes it on the order's timeline with the operator's name;
this checks the operator's input and says what happened.
"""

import uuid

from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.models import Order, User
from app.orders.sending.resolution import ProviderIdTaken, resolve_send, retry_send
from app.orders.sync import recheck_status
from app.reasons import localized

MAX_NOTE = 500


class ActionInvalid(ValueError):
    """The operator's input cannot be used (HTTP 422)."""


class OrderMissing(LookupError):
    """There is no order with this id (HTTP 404)."""


def must_exist(order_id: uuid.UUID) -> None:
    if db.session.get(Order, order_id) is None:
        raise OrderMissing(order_id)


def retry_send_now(order_id: uuid.UUID, operator: User) -> str:
    """Queue another send attempt at once, instead of waiting for the next retry."""
    must_exist(order_id)
    if not retry_send(order_id, operator.id):
        return _("The retry could not be queued (Redis); the minute job will queue it.")
    return _("A new send attempt is queued.")


def recheck_now(order_id: uuid.UUID, operator: User) -> str:
    """Ask the order service for the order's state now, and apply the answer."""
    must_exist(order_id)
    answer = recheck_status(order_id, operator.id)
    return _("Re-checked: %(answer)s", answer=localized(answer))


def checked_note(note: str) -> str:
    note = " ".join(note.split())
    if not note:
        raise ActionInvalid(_("Write a note saying how the send was resolved."))
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
    """The provider's id the operator found for the order, if any."""
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError as error:
        raise ActionInvalid(_("The provider’s id must be a UUID.")) from error


def resolve_unknown_send(
    order_id: uuid.UUID, operator: User, note: str, external_uuid: str = ""
) -> str:
    """Settle a send nobody could confirm: registered under the provider id the operator
    found (→ In processing), or not registered at all (→ Draft, the customer may send again)."""
    must_exist(order_id)
    note, external = checked_note(note), checked_external_uuid(external_uuid)
    try:
        resolve_send(order_id, external, operator.id, note)
    except ProviderIdTaken as error:
        raise ActionInvalid(str(error)) from error
    return _("Resolved: in processing.") if external else _("Resolved: back to draft.")
