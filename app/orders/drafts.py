"""Building, editing and deleting draft orders from the catalog as it is now."""

import uuid
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select

from app.catalog.client import canonical_uuid
from app.catalog.service import find_services
from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.money import LARGEST_AMOUNT, compute_totals, fits_an_order, format_money
from app.orders.transitions import start_draft

MAX_ITEMS = 200


class OrderInputError(ValueError):
    """The customer's selection cannot become an order; the message says why."""


class OrderConflict(Exception):
    """The order is not in a status that allows this action."""


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


def update_draft(order: Order, raw_selection: Iterable[str]) -> Order:
    """Replace a draft's items; the row lock makes a concurrent send wait, then see the change.

    The new content is a new revision, so its registration carries a new Idempotency-Key.
    """
    services = current_services(parse_selection(raw_selection))
    locked = db.session.scalar(
        select(Order)
        .where(Order.id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None or locked.status != OrderStatus.DRAFT:
        db.session.rollback()
        raise OrderConflict(_("Only drafts can be edited; this order was sent meanwhile."))
    fill(locked, services)
    locked.revision += 1
    locked.status_reason = None
    locked.status_reason_coded = None
    db.session.commit()
    return locked


def delete_draft(order_id: uuid.UUID) -> None:
    result = db.session.execute(
        delete(Order).where(Order.id == order_id, Order.status == OrderStatus.DRAFT)
    )
    if result.rowcount == 0:
        db.session.rollback()
        raise OrderConflict(_("Only drafts can be deleted; this order was sent meanwhile."))
    db.session.commit()
