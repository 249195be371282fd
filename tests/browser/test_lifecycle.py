"""Sending, watching and cancelling orders in the browser, without reloading the page."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.orders.drafts import create_draft
from app.orders.transitions import transition
from tests.browser.helpers import (
    confirm_dialog,
    live_refresh,
    mark_page,
    open_listening,
    page_not_reloaded,
    refuse_streams,
    screenshot,
)
from tests.support.orders import reload


@pytest.fixture
def order(seeded_user, services):
    """A draft of the seeded user with two services."""
    return create_draft(seeded_user.id, [services[0].uuid, services[1].uuid])


def order_row(page, order):
    return page.locator(f'tr[data-order-id="{order.id}"]')


def send_from_dashboard(app, page, order, held_sends):
    """Send from the dashboard: the send is held until its message and status are seen, then
    handed to the worker."""
    open_listening(app, page, "/")
    mark_page(page)
    row = order_row(page, order)
    expect(row).to_have_attribute("data-status", "draft")
    with live_refresh(page, "/"):  # the table's reload on hearing of the send
        row.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").filter(has_text="Sending your order")).to_be_visible()
    expect(row).to_have_attribute("data-status", "sending")
    held_sends.release()
    return row


def test_a_sent_order_turns_in_processing_then_done_without_a_reload(
    app, user_page, order, provider_at_work, sync_clock, held_sends
):
    page = user_page
    row = send_from_dashboard(app, page, order, held_sends)

    expect(row).to_have_attribute("data-status", "in_processing", timeout=30_000)
    expect(row.locator(".badge")).to_have_text("In processing")
    provider_at_work.force_state(reload(order.id).external_uuid, "done")
    expect(row).to_have_attribute("data-status", "done", timeout=30_000)
    expect(row.locator(".badge")).to_have_text("Done")
    expect(row.get_by_role("button")).to_have_text(["Order again"])  # nothing else to do
    assert page_not_reloaded(page)
    screenshot(page, "dashboard-done")

    row.get_by_role("link", name=f"#{order.short_id}").click()
    timeline = page.locator(".timeline li")
    expect(timeline).to_have_count(4)
    expect(timeline.first).to_contain_text("Done")
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "done")


def test_an_order_in_processing_can_be_cancelled_without_a_reload(
    app, user_page, order, worker, held_sends
):
    page = user_page
    row = send_from_dashboard(app, page, order, held_sends)
    expect(row).to_have_attribute("data-status", "in_processing", timeout=30_000)
    cancel = row.get_by_role("button", name="Cancel")
    expect(cancel).to_be_visible()

    cancel.click()
    dialog = confirm_dialog(page)
    expect(dialog.get_by_role("heading")).to_have_text(f"Cancel order #{order.short_id}?")
    expect(dialog).to_contain_text("The provider cannot be told to stop")
    dialog.get_by_role("button", name="Cancel the order").click()

    expect(dialog).to_be_hidden()
    expect(row).to_have_attribute("data-status", "cancelled")
    expect(row.locator(".badge")).to_have_text("Cancelled")
    expect(page.get_by_role("status").filter(has_text="Order cancelled.")).to_be_visible()
    assert page_not_reloaded(page)


def test_dismissing_the_cancel_question_keeps_the_order(app, user_page, order, worker, held_sends):
    page = user_page
    row = send_from_dashboard(app, page, order, held_sends)
    expect(row).to_have_attribute("data-status", "in_processing", timeout=30_000)

    row.get_by_role("button", name="Cancel").click()
    confirm_dialog(page).get_by_role("button", name="Keep it in processing").click()

    expect(row.get_by_role("button", name="Cancel")).to_be_enabled()
    expect(row).to_have_attribute("data-status", "in_processing")


def test_sending_an_order_already_sent_elsewhere_says_so(user_page, order, browser_errors):
    """A page that has not heard of the send (its stream refused here; with its stream open it
    is told at once and offers no Send: tests/browser/test_two_tabs.py) is told by the answer."""
    page = user_page
    refuse_streams(page, browser_errors)
    page.goto(f"/orders/{order.id}")
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "draft")
    assert transition(order.id, "draft", "sending", "Sent from another tab") is not None
    db.session.commit()

    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "This order is not a draft any more; it was sent already."
    )
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "sending")
