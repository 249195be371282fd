"""Building, editing and deleting draft orders from the catalog as it is now."""

import uuid
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func

from app.catalog.client import canonical_uuid
from app.catalog.service import find_services
from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.money import LARGEST_AMOUNT, compute_totals, fits_an_order, format_money
from app.orders.transitions import Change, guards, note, start_draft, update_orders

MAX_ITEMS = 200
ITEM_FIELDS = ("name", "description", "image", "price", "tax", "gross")


class OrderInputError(ValueError):
    """The customer's selection cannot become an order; the message says why."""


class OrderConflict(Exception):
    """The order is not in a status that allows this action."""


class StaleRevision(Exception):
    """The draft is still a draft, but changed since the customer's page was drawn."""


def split_selection(raw_values: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the canonical uuids in the order given, without duplicates; the values that are not)."""
    parsed = [(raw, canonical_uuid(raw)) for raw in raw_values]
    chosen = list(dict.fromkeys(value for _, value in parsed if value))
    return chosen, [raw for raw, value in parsed if value is None]


def chosen_services(raw_values: Iterable[str]) -> list:
    """The catalog's entries for the selection, in its order, if they can make an order."""
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
    found = find_services(chosen)
    if missing := [value for value in chosen if value not in found]:
        names = ", ".join(missing)
        raise OrderInputError(
            _("These services are not in the catalog (any more): %(names)s", names=names)
        )
    services = [found[value] for value in chosen]
    if not fits_an_order(totals := compute_totals(services)):
        raise OrderInputError(
            _(
                "Together these services cost %(gross)s, more than one order can hold "
                "(%(largest)s). Choose fewer services.",
                gross=format_money(totals.gross),
                largest=format_money(LARGEST_AMOUNT),
            )
        )
    return services


def fill(order: Order, services: list) -> None:
    order.items = [
        OrderItem(
            position=position,
            service_uuid=uuid.UUID(service.uuid),
            **{name: getattr(service, name) for name in ITEM_FIELDS},
        )
        for position, service in enumerate(services)
    ]
    totals = compute_totals(services)
    order.price, order.tax, order.gross = totals.price, totals.tax, totals.gross


def create_draft(user_id: int, raw_selection: Iterable[str]) -> Order:
    services = chosen_services(raw_selection)
    order = Order(user_id=user_id)
    start_draft(order)
    fill(order, services)
    db.session.add(order)
    db.session.flush()
    # Announced like an edit, so the owner's open dashboards (and API clients' pages) show it.
    draft = OrderStatus.DRAFT
    note([Change(order.id, user_id, draft, draft, order.revision)])
    db.session.commit()
    return order


def copy_as_draft(user_id: int, order: Order) -> tuple[Order, list[str]]:
    """A new draft of the services of `order` still in the catalog, and the names of the rest."""
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
    """Replace a draft's items under a new revision (a new Idempotency-Key). The guarded UPDATE
    locks the row, so of two saves (or a save and a send) of one revision only one passes."""
    services = chosen_services(raw_selection)
    cleared = {"status_reason": None, "status_reason_coded": None, "updated_at": func.now()}
    where = guards(order.id, OrderStatus.DRAFT, seen_revision)
    applied = update_orders(*where, revision=Order.revision + 1, **cleared).one_or_none()
    note_draft_change(order.id, applied, seen_revision)
    revised = db.session.get(Order, order.id, populate_existing=True)
    fill(revised, services)
    db.session.commit()
    return revised


def delete_draft(order_id: uuid.UUID, seen_revision: int | None = None) -> None:
    applied = db.session.execute(
        delete(Order)
        .where(*guards(order_id, OrderStatus.DRAFT, seen_revision))
        .returning(Order.user_id, Order.revision)
    ).one_or_none()
    note_draft_change(order_id, applied, seen_revision, deleted=True)
    db.session.commit()


def note_draft_change(order_id, applied, seen_revision: int | None, deleted: bool = False):
    """Note the change `applied`, or roll back and raise StaleRevision or OrderConflict."""
    if applied is None:
        db.session.rollback()
        if draft_moved_on(order_id, seen_revision):
            raise StaleRevision()
        if deleted:
            raise OrderConflict(_("Only drafts can be deleted; this order was sent meanwhile."))
        raise OrderConflict(_("Only drafts can be edited; this order was sent meanwhile."))
    draft = OrderStatus.DRAFT
    note([Change(order_id, applied.user_id, draft, draft, applied.revision, deleted)])


def draft_moved_on(order_id: uuid.UUID, seen_revision: int | None) -> bool:
    current = db.session.get(Order, order_id, populate_existing=True)
    if current is None or seen_revision is None:
        return False
    return current.status == OrderStatus.DRAFT and current.revision != seen_revision
