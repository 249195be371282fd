"""The answer to a save, send or delete made from an older revision of a draft: 409 and a page
that says what changed, and lets the customer choose, knowingly, between their version and the
current one. Nothing is ever overwritten without that choice.

- A save shows the services in the draft now beside those the customer's form would have
  saved. "Keep my version" posts that selection again, this time against the current revision
  (so a third change made meanwhile is refused in turn); "Take the current draft" goes to it.
- A send or a delete shows what the draft holds now, with the same action against the current
  revision, or the way to the draft.

An htmx request for part of a page (a dashboard row's button) gets the page's content in place
of the main column; every other request gets the whole page. The address stays where it was.
"""

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
    """A save from an older revision: the draft now beside the customer's `selection` (the
    canonical service ids the form sent, all in the catalog: the save checked them first)."""
    found = find_services(selection)
    mine = [found[value] for value in selection if value in found]
    return conflict_response(
        SAVE,
        order,
        rows=compare(order, mine),
        mine=[service.uuid for service in mine],
        mine_gross=compute_totals(mine).gross,
    )


def action_conflict(order: Order, action: str):
    """A send or delete (`action`) from an older revision: what the draft holds now."""
    return conflict_response(action, order)


def conflict_response(action: str, order: Order, **context):
    """409 with the conflict page: its content alone in place of the main column for an htmx
    request that swaps part of a page, else the whole page. No htmx request pushes the URL of
    the refused post into the history (a reload would post nothing, or ask again)."""
    headers = {"HX-Push-Url": "false"}
    template = "orders/conflict.html"
    if wants_fragment():
        headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
        template = "orders/_conflict.html"
    html = render_template(template, action=action, order=order, **context)
    return html, 409, headers
