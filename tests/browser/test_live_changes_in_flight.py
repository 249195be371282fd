"""A change told to a live part while it is reloading for the previous one is not lost: the
part the reload brings reloads once more (htmx would queue the second reload on the element
the first one replaces, and drop it with that element)."""

import functools
import threading

from flask import request
from playwright.sync_api import expect

from app.extensions import db
from app.models import OrderStatus as S
from app.orders.transitions import transition
from app.reasons import SENT_BY_CUSTOMER, Reason
from tests.browser.helpers import open_listening
from tests.browser.orders import order_in_status
from tests.support.waiting import wait_until

COUNT_CHANGES = """() => { window.__changes = 0;
  document.addEventListener("sse:order-changed", () => { window.__changes += 1; }); }"""


def hold_table_answers(app, released: threading.Event) -> threading.Event:
    """The dashboard's table reloads are drawn at once but answered only once `released` is
    set; the event returned is set when one is being held."""
    holding = threading.Event()
    view = app.view_functions["orders.dashboard"]

    @functools.wraps(view)
    def held(*args, **kwargs):
        answer = view(*args, **kwargs)
        if request.headers.get("HX-Target") == "orders-table":
            holding.set()
            wait_until(released.is_set, seconds=30, step=0.01)
        return answer

    app.view_functions["orders.dashboard"] = held
    return holding


def send(order) -> None:
    assert transition(order.id, S.DRAFT, S.SENDING, Reason(SENT_BY_CUSTOMER)) is not None
    db.session.commit()


def test_a_change_told_while_the_table_reloads_is_shown(app, user_page, seeded_user, services):
    first, second = (order_in_status(seeded_user.id, [services[0].uuid], S.DRAFT) for _ in "12")
    page = user_page
    open_listening(app, page, "/")
    page.evaluate(COUNT_CHANGES)
    released = threading.Event()
    holding = hold_table_answers(app, released)

    send(first)
    wait_until(holding.is_set, seconds=30)  # the reload for the first change, drawn and held
    send(second)
    page.wait_for_function("window.__changes >= 2", timeout=30_000)
    released.set()

    for order in (first, second):
        row = page.locator(f'tr[data-order-id="{order.id}"]')
        expect(row).to_have_attribute("data-status", "sending", timeout=30_000)
