"""Requests in flight: their buttons are disabled and show a spinner; leaving cuts them quietly."""

import functools
import re
import threading

import pytest
from flask import request
from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import service

# The page being left cannot be queried while its navigation is pending, so it reports.
REPORT_BUSY = """selector => {
  const button = document.querySelector(selector);
  new MutationObserver(() => console.log(
    "busy: " + (button.disabled && button.classList.contains("is-busy"))
  )).observe(button, {attributes: true});
}"""


class Gate:
    """Holds the POST requests of one view until the test opens it."""

    def __init__(self, app):
        self.app = app
        self.opened = threading.Event()

    def hold(self, endpoint: str) -> None:
        view = self.app.view_functions[endpoint]

        @functools.wraps(view)
        def held(*args, **kwargs):
            if request.method == "POST":
                self.opened.wait(timeout=10)
            return view(*args, **kwargs)

        self.app.view_functions[endpoint] = held

    def open(self) -> None:
        self.opened.set()


@pytest.fixture
def gate(app):
    gate = Gate(app)
    yield gate
    gate.open()


def test_a_row_action_is_disabled_while_in_flight(user_page, seeded_user, services, gate, worker):
    order = create_draft(seeded_user.id, [services[0].uuid])
    page = user_page
    page.goto("/")
    row = page.locator(f'tr[data-order-id="{order.id}"]')
    send = row.get_by_role("button", name="Send")
    gate.hold("orders.send")

    send.click()

    expect(send).to_be_disabled()
    expect(page.locator("#busy")).to_have_class(re.compile(r"\bhtmx-request\b"))
    gate.open()
    expect(row).to_have_attribute("data-status", re.compile("sending|in_processing"))
    expect(page.locator("#busy")).not_to_have_class(re.compile(r"\bhtmx-request\b"))


def test_a_plain_form_button_is_disabled_while_in_flight(user_page, gate):
    page = user_page
    page.goto("/orders/new")
    service(page, "SEO audit — Basic").check()
    expect(page.locator('#totals [data-total="count"]')).to_have_text("1")
    create = page.get_by_role("button", name="Create draft")
    gate.hold("orders.new")

    page.evaluate(REPORT_BUSY, "[data-order-form] button[type=submit]")

    with page.expect_console_message(lambda message: message.text == "busy: true"):
        create.focus()
        page.keyboard.press("Enter")  # a click would wait for the navigation it starts
    gate.open()
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    page.go_back()
    expect(page.get_by_role("button", name="Create draft")).to_be_enabled()


def test_a_poll_cut_short_by_leaving_the_page_is_not_an_error(user_page):
    """The browser aborts requests in flight when the page is left; here the page is told it
    is being hidden and its poll is aborted, as happens when the reader follows a link."""
    page = user_page
    poll = re.compile(r"/\?page=1$")
    refresh = "htmx.trigger('#orders-table', 'sse:order-changed')"  # as a pushed change does
    held = []
    page.route(poll, lambda route: held.append(route))  # left unanswered: in flight
    with page.expect_request(poll):
        page.evaluate(refresh)

    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    page.evaluate("htmx.trigger('#orders-table', 'htmx:abort')")
    page.unroute(poll)
    assert len(held) == 1

    with page.expect_response(poll):
        page.evaluate(refresh)  # htmx cleaned up after the aborted request: it asks again
