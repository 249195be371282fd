"""Building, editing and deleting draft orders from the catalog as it is now."""

import uuid
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, update

from app.catalog.client import canonical_uuid
from app.catalog.service import find_services
from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.money import LARGEST_AMOUNT, compute_totals, fits_an_order, format_money
from app.orders.transitions import Change, note, start_draft

MAX_ITEMS = 200


class OrderInputError(ValueError):
    """The customer's selection cannot become an order; the message says why."""


class OrderConflict(Exception):
    """The order is not in a status that allows this action."""


class StaleRevision(Exception):
    """The draft is still a draft, but its content is no longer the revision the customer's
    page was drawn from: another tab or window changed it meanwhile."""


def split_selection(raw_values: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the canonical uuids in the order given, duplicates collapsed; the values that are not
    uuids). Linear, however many values a form sends."""
    parsed = [(raw, canonical_uuid(raw)) for raw in raw_values]
    chosen = list(dict.fromkeys(value for _, value in parsed if value))
    return chosen, [raw for raw, value in parsed if value is None]


def parse_selection(raw_values: Iterable[str]) -> list[str]:
    """Canonical service uuids in the order given, duplicates collapsed; bad ones named."""
    chosen, bad = split_selection(raw_values)
    if bad:
        shown = ", ".join(repr(value[:40]) for value in bad[:5])
        raise OrderInputError(_("These are not service ids: %(values)s", values=shown))
    if not chosen:
        raise OrderInputError(_("Choose at least one service."))
    if len(chosen) > MAX_ITEMS:
        raise OrderInputError(
            ngettext(
                "An order can hold at most %(num)d service.",
                "An order can hold at most %(num)d services.",
                MAX_ITEMS,
            )
        )
    return chosen


def current_services(service_uuids: list[str]) -> list:
    """The catalog entries for these uuids, in the same order; unknown ones are an error, and
    so are totals larger than an order can hold."""
    found = find_services(service_uuids)
    missing = [value for value in service_uuids if value not in found]
    if missing:
        names = ", ".join(missing)
        raise OrderInputError(
            _("These services are not in the catalog (any more): %(names)s", names=names)
        )
    services = [found[value] for value in service_uuids]
    totals = compute_totals(services)
    if not fits_an_order(totals):
        raise OrderInputError(
            _(
                "Together these services cost %(gross)s, more than one order can hold "
                "(%(largest)s). Choose fewer services.",
                gross=format_money(totals.gross),
                largest=format_money(LARGEST_AMOUNT),
            )
        )
    return services


def snapshot_items(services: list) -> list[OrderItem]:
    return [
        OrderItem(
            position=position,
            service_uuid=uuid.UUID(service.uuid),
            name=service.name,
            description=service.description,
            image=service.image,
            price=service.price,
            tax=service.tax,
            gross=service.gross,
        )
        for position, service in enumerate(services)
    ]


def fill(order: Order, services: list) -> None:
    order.items = snapshot_items(services)
    totals = compute_totals(services)
    order.price, order.tax, order.gross = totals.price, totals.tax, totals.gross


def create_draft(user_id: int, raw_selection: Iterable[str]) -> Order:
    services = current_services(parse_selection(raw_selection))
    order = Order(user_id=user_id)
    start_draft(order)
    fill(order, services)
    db.session.add(order)
    db.session.commit()
    return order


def copy_as_draft(user_id: int, order: Order) -> tuple[Order, list[str]]:
    """A new draft with the services of `order` that the catalog still has, at today's prices;
    returns it with the names of the services left out because they left the catalog."""
    wanted = [str(item.service_uuid) for item in order.items]
    found = find_services(wanted)
    gone = [item.name for item in order.items if str(item.service_uuid) not in found]
    if not found:
        names = ", ".join(gone)
        raise OrderInputError(
            _("None of this order’s services are in the catalog any more: %(names)s", names=names)
        )
    return create_draft(user_id, [value for value in wanted if value in found]), gone


def update_draft(
    order: Order, raw_selection: Iterable[str], seen_revision: int | None = None
) -> Order:
    """Replace a draft's items under a new revision (so its registration carries a new
    Idempotency-Key). `seen_revision` is the revision the customer's form was drawn from: a
    draft changed since is refused (StaleRevision), never overwritten; None checks nothing.
    """
    services = current_services(parse_selection(raw_selection))
    if revise_draft(order.id, seen_revision) is None:
        db.session.rollback()
        message = _("Only drafts can be edited; this order was sent meanwhile.")
        raise refusal(order.id, seen_revision, message)
    revised = db.session.get(Order, order.id, populate_existing=True)
    fill(revised, services)
    db.session.commit()
    return revised


def draft_guards(order_id: uuid.UUID, seen_revision: int | None) -> list:
    """The conditions of a change to a draft: still a draft and, when the customer's page
    said which revision it showed, still that revision."""
    guards = [Order.id == order_id, Order.status == OrderStatus.DRAFT]
    if seen_revision is not None:
        guards.append(Order.revision == seen_revision)
    return guards


def revise_draft(order_id: uuid.UUID, seen_revision: int | None) -> Change | None:
    """Start the draft's next revision, or None if it is not a draft of `seen_revision` any
    more. One guarded UPDATE checks and takes the row's lock at once, so of two saves (or a
    save and a send) made from one revision exactly one passes: the other waits for the lock,
    then finds a newer revision or another status. The change is noted, so open pages learn it
    once it commits."""
    applied = db.session.execute(
        update(Order)
        .where(*draft_guards(order_id, seen_revision))
        .values(
            revision=Order.revision + 1,
            status_reason=None,
            status_reason_coded=None,
            updated_at=func.now(),
        )
        .returning(Order.user_id, Order.revision)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if applied is None:
        return None
    change = Change(
        order_id, applied.user_id, OrderStatus.DRAFT, OrderStatus.DRAFT, applied.revision
    )
    note([change])
    return change


def refusal(order_id: uuid.UUID, seen_revision: int | None, message: str) -> Exception:
    """Why a guarded change to a draft found nothing to change: a newer revision of the draft
    (StaleRevision), or an order that is no draft any more (OrderConflict, with `message`)."""
    if draft_moved_on(order_id, seen_revision):
        return StaleRevision()
    return OrderConflict(message)


def draft_moved_on(order_id: uuid.UUID, seen_revision: int | None) -> bool:
    """Whether the order, read afresh, is still a draft but no longer `seen_revision`."""
    current = db.session.get(Order, order_id, populate_existing=True)
    return current is not None and is_stale(current, seen_revision)


def is_stale(order: Order, seen_revision: int | None) -> bool:
    """A draft whose content moved on from the revision a page showed."""
    return (
        order.status == OrderStatus.DRAFT
        and seen_revision is not None
        and order.revision != seen_revision
    )


def delete_draft(order_id: uuid.UUID, seen_revision: int | None = None) -> None:
    """Delete a draft, refused like an edit when its content moved on from `seen_revision`:
    a customer never deletes a draft whose latest content they have not seen."""
    applied = db.session.execute(
        delete(Order)
        .where(*draft_guards(order_id, seen_revision))
        .returning(Order.user_id, Order.revision)
    ).one_or_none()
    if applied is None:
        db.session.rollback()
        message = _("Only drafts can be deleted; this order was sent meanwhile.")
        raise refusal(order_id, seen_revision, message)
    draft = OrderStatus.DRAFT
    note([Change(order_id, applied.user_id, draft, draft, applied.revision, deleted=True)])
    db.session.commit()
