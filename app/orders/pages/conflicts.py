"""The 409 page for a change made from an older revision of a draft: what changed, and the
choice between the customer's version and the current one (nothing is overwritten without it)."""

from dataclasses import dataclass
from decimal import Decimal

from flask import render_template

from app.catalog.service import find_services
from app.htmx import wants_fragment
from app.models import Order
from app.money import compute_totals

SAVE, SEND, DELETE = "save", "send", "delete"


@dataclass(frozen=True)
class ComparedService:
    """One service of either version: its name and gross, and which versions hold it."""

    name: str
    gross: Decimal
    in_current: bool
    in_mine: bool

    @property
    def differs(self) -> bool:
        return self.in_current != self.in_mine


def compare(order: Order, mine: list) -> list[ComparedService]:
    """The draft's services (in its order), then those only the customer's version holds."""
    mine_ids = {service.uuid for service in mine}
    current_ids = {str(item.service_uuid) for item in order.items}
    rows = [
        ComparedService(item.name, item.gross, True, str(item.service_uuid) in mine_ids)
        for item in order.items
    ]
    rows += [
        ComparedService(service.name, service.gross, False, True)
        for service in mine
        if service.uuid not in current_ids
    ]
    return rows


def save_conflict(order: Order, selection: list[str]):
    """The draft now beside the customer's `selection` (canonical ids, checked by the save)."""
    found = find_services(selection)
    mine = [found[value] for value in selection if value in found]
    return action_conflict(
        order,
        SAVE,
        rows=compare(order, mine),
        mine=[service.uuid for service in mine],
        mine_gross=compute_totals(mine).gross,
    )


def action_conflict(order: Order, action: str, **context):
    """409 with the conflict page: for an htmx request its content in place of the main column,
    else the whole page. htmx never pushes the refused post's URL into the history."""
    headers = {"HX-Push-Url": "false"}
    template = "orders/conflict.html"
    if wants_fragment():
        headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
        template = "orders/_conflict.html"
    html = render_template(template, action=action, order=order, **context)
    return html, 409, headers
