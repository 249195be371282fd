"""What a registration that failed, or landed too late, leads to: a retry, back to draft, or a
person (README.md, "Sending an order")."""

import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select, update

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.transitions import (
    add_note,
    commit_transition,
    note_attention,
    transition,
)
from app.provider_http import ProviderRejected, ProviderUnavailable
from app.reasons import Reason

log = logging.getLogger(__name__)

# Columns of a send that is settled either way, and of one that starts afresh.
SETTLED = {"send_claimed_until": None, "send_unknown_since": None, "needs_attention_since": None}
FRESH_SEND = {"send_attempts": 0, **SETTLED}


# An order still being sent: in sending, without the provider's id.
UNREGISTERED = (Order.status == OrderStatus.SENDING, Order.external_uuid.is_(None))


def held_for_a_person():
    """Orders whose retries stopped until a person settles them: flagged, with no lease."""
    return and_(Order.needs_attention_since.is_not(None), Order.send_claimed_until.is_(None))


def rejected(order: Order, error: ProviderRejected) -> str:
    """A 4xx: back to draft, unless the provider may hold the order after all."""
    if error.key_conflict or order.send_unknown_since is not None:
        return hold_for_a_person(order, Reason(reasons.REPEAT_REFUSED, error=error.reason))
    return give_back(order.id, Reason(reasons.REJECTED, error=error.reason))


def give_back(order_id, reason: Reason) -> str:
    """Back to draft with the reason: the provider surely has nothing."""
    commit_transition(order_id, OrderStatus.SENDING, OrderStatus.DRAFT, reason, **SETTLED)
    text = reason.english()
    log.info("order %s back to draft: %s", order_id, text)
    return f"back to draft: {text}"


def hold_for_a_person(order: Order, reason: Reason) -> str:
    """Flag the order and stop retrying: it stays in sending until an operator settles it."""
    flagged = func.coalesce(Order.needs_attention_since, func.now())
    text = update_sending(order, reason, send_claimed_until=None, needs_attention_since=flagged)
    log.warning("order %s needs attention: %s", order.id, text)
    return f"needs attention: {text}"


def backoff_seconds(attempt: int, retry_after: float | None) -> float:
    config = current_app.config
    base = config["SEND_BACKOFF_SECONDS"] * 2 ** min(attempt - 1, 30)
    return min(max(base, retry_after or 0), config["SEND_MAX_BACKOFF_SECONDS"])


def retry_later(order: Order, error: ProviderUnavailable) -> tuple[int, float | None, str]:
    """Note a failed try: (its number, the delay before the next or None, what happened)."""
    attempt = order.send_attempts + 1
    unknown = error.outcome_unknown or order.send_unknown_since is not None
    if not unknown and attempt >= current_app.config["SEND_MAX_ATTEMPTS"]:
        reason = Reason(reasons.NOT_REACHED, attempts=attempt, error=error.reason)
        return attempt, None, give_back(order.id, reason)
    delay = backoff_seconds(attempt, error.retry_after)
    code = reasons.UNCONFIRMED_RETRYING if unknown else reasons.RETRYING
    why = Reason(code, delay_seconds=delay, error=error.reason)
    lease = func.now() + timedelta(seconds=delay)
    period = unknown_since(error) if unknown else {}
    update_sending(order, why, send_attempts=attempt, send_claimed_until=lease, **period)
    outcome = "outcome unknown" if unknown else "not registered"
    return attempt, delay, f"retry {attempt} in {delay:.0f}s ({outcome})"


def unknown_since(error: ProviderUnavailable) -> dict:
    """Start (or keep) the unknown period, and flag the order once it has lasted too long."""
    since = Order.send_unknown_since
    if error.outcome_unknown:
        since = func.coalesce(Order.send_unknown_since, func.now())
    too_long = timedelta(seconds=current_app.config["SEND_ATTENTION_AFTER_SECONDS"])
    flag_now = func.coalesce(Order.needs_attention_since, func.now())
    lasted = Order.send_unknown_since <= func.now() - too_long
    flagged = case((lasted, flag_now), else_=Order.needs_attention_since)
    return {"send_unknown_since": since, "needs_attention_since": flagged}


def update_sending(order: Order, reason: Reason, **values) -> str:
    """Change the send's reason and columns while the order is still being sent; the wording.
    An order flagged for a person by this change is noted as such (app/webhooks/outbox.py)."""
    text, coded = reasons.columns(reason)
    still_sending = (Order.id == order.id, *UNREGISTERED)
    flagged = db.session.execute(
        update(Order)
        .where(*still_sending)
        .values(status_reason=text, status_reason_coded=coded, **values)
        .returning(Order.needs_attention_since)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if flagged is not None and order.needs_attention_since is None:
        note_attention(order.id)
    db.session.commit()
    return text


def registered_late(order_id: uuid.UUID, external_uuid: uuid.UUID) -> str:
    """The provider registered the order after it was settled here by hand: flag it with the id
    (a draft goes back to sending, held, so nobody sends it twice) and commit, unless it is gone."""
    query = select(Order.status, Order.external_uuid).where(Order.id == order_id)
    found = db.session.execute(query).one_or_none()
    if found is None:
        db.session.rollback()
        log.error("order %s was registered as %s but no longer exists", order_id, external_uuid)
        return f"registered as {external_uuid}, but the order is gone"
    if found.external_uuid == external_uuid:
        db.session.commit()
        return f"registered as {external_uuid} (recorded already)"
    reason = Reason(reasons.REGISTERED_LATE, external_uuid=str(external_uuid))
    held = {"needs_attention_since": func.now(), "send_claimed_until": None}
    unknown = {"send_unknown_since": func.now(), **held}
    if transition(order_id, OrderStatus.DRAFT, OrderStatus.SENDING, reason, **unknown) is None:
        add_note(order_id, found.status, reason)
        text, coded = reasons.columns(reason)
        kept = {"status_reason": text, "status_reason_coded": coded, **held}
        db.session.execute(update(Order).where(Order.id == order_id).values(**kept))
        note_attention(order_id, found.status)
    else:
        note_attention(order_id)
    db.session.commit()
    log.warning("order %s needs attention: %s", order_id, reason.english())
    return f"needs attention: registered as {external_uuid} after it was settled here"
