"""Messages about an order's progress go when the order moves on, so no message contradicts
the page: "Sending…" never stays beside Done or beside the rejection."""

import json

import pytest
from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import (
    live_refresh,
    log_in,
    mark_page,
    open_listening,
    page_not_reloaded,
)
from tests.browser.live import hold_view
from tests.support.orders import reload

APP_SETTINGS = {"ORDERS_REFRESH_SECONDS": 30}  # no reload of the page without JavaScript
SENDING = "Sending your order to processing"
# The provider thinks a while before refusing, so the summary's own reload after the send is
# answered first: a change that reaches the summary while that reload is on its way is dropped.
SLOW_REFUSAL = {
    "delay": 1.5,
    "status": 422,
    "body": json.dumps({"message": "Service 9 is sold out"}),
}


@pytest.fixture
def order(seeded_user, services):
    return create_draft(seeded_user.id, [services[0].uuid])


def sending_message(page):
    return page.get_by_role("status").filter(has_text=SENDING)


def test_the_sending_message_goes_when_the_order_is_done(
    app, user_page, order, sandbox, sync_clock, held_sends
):
    sandbox.set_knobs(processing_seconds=1)
    page = user_page
    open_listening(app, page, "/")
    mark_page(page)
    row = page.locator(f'tr[data-order-id="{order.id}"]')
    with live_refresh(page, "/"):  # the table's reload on hearing of the send
        row.get_by_role("button", name="Send").click()
    expect(sending_message(page)).to_be_visible()
    expect(row).to_have_attribute("data-status", "sending")
    held_sends.release()

    expect(row).to_have_attribute("data-status", "done", timeout=30_000)
    expect(sending_message(page)).to_have_count(0)
    assert page_not_reloaded(page)


def test_the_sending_message_never_shows_beside_the_rejection(
    app, user_page, order, sandbox, worker, held_sends
):
    sandbox.add_faults("order_create", SLOW_REFUSAL)
    page = user_page
    open_listening(app, page, f"/orders/{order.id}", live_region=False)  # a draft's
    page.get_by_role("button", name="Send").click()
    expect(sending_message(page)).to_be_visible()
    summary = page.locator("#order-summary")
    expect(summary).to_have_attribute("data-status", "sending")
    held_sends.release()

    expect(summary).to_have_attribute("data-status", "draft", timeout=30_000)
    expect(summary.locator(".flash-error")).to_contain_text("Service 9 is sold out")
    expect(sending_message(page)).to_have_count(0)


def test_a_message_already_out_of_date_is_not_shown(open_context, order, worker, app):
    """Without JavaScript the page is drawn once: when the worker has registered the order
    before the page after the send is drawn, that page says nothing about sending."""
    page = open_context(java_script_enabled=False).new_page()
    log_in(page)
    page.goto(f"/orders/{order.id}")
    hold_view(app, "orders.show", lambda: reload(order.id).status != "sending")

    page.get_by_role("button", name="Send").click()

    summary = page.locator("#order-summary")
    expect(summary).to_have_attribute("data-status", "in_processing", timeout=30_000)
    assert sending_message(page).count() == 0
