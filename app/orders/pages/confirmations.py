"""What is asked before an action that cannot be undone (cancel an order, delete a draft): one
set of words for the confirmation page (browsers without JavaScript) and the in-page dialog
(app.js fills it from the action's data-confirm-* attributes)."""

from flask_babel import gettext as _
from flask_babel import ngettext

from app.models import Order
from app.money import format_money


def cancel_texts(order: Order) -> dict[str, str]:
    return {
        "heading": _("Cancel order #%(number)s?", number=order.short_id),
        "detail": _(
            "The provider cannot be told to stop, so it may still finish the work. Here the order "
            "is marked Cancelled for good, and if the provider reports it finished, its timeline "
            "says so."
        ),
        "button": _("Cancel the order"),
        "keep": _("Keep it in processing"),
    }


def delete_texts(order: Order) -> dict[str, str]:
    return {
        "heading": _("Delete draft #%(number)s?", number=order.short_id),
        "detail": _("This cannot be undone."),
        "button": _("Delete draft"),
        "keep": _("Keep it"),
    }


TEXTS = {"cancel": cancel_texts, "delete": delete_texts}


def order_summary(order: Order, count: int | None = None) -> str:
    """ "2 services, 104.19 ₽ gross.": what the order holds, as both ways of asking say it
    (`count`: its number of services, if known without loading them)."""
    count = len(order.items) if count is None else count
    return ngettext(
        "%(num)d service, %(gross)s gross.",
        "%(num)d services, %(gross)s gross.",
        count,
        gross=format_money(order.gross),
    )


def confirmation(order: Order, action: str, count: int | None = None) -> dict[str, str]:
    """The words that ask before `action` ("cancel", "delete") on this order."""
    return {**TEXTS[action](order), "summary": order_summary(order, count)}
