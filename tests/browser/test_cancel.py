"""Cancel says what it does: the provider cannot be told to stop. When the provider later
reports the order finished, the open order page shows it on the timeline, and the order stays
Cancelled."""

import re

import pytest
from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import (
    confirm_dialog,
    mark_page,
    open_listening,
    page_not_reloaded,
    screenshot,
)
from tests.support.orders import reload
from tests.support.waiting import wait_until

FINISHED_ANYWAY = "The provider finished this order after it was cancelled here."


@pytest.fixture
def order(seeded_user, services):
    return create_draft(seeded_user.id, [services[0].uuid])


def test_the_timeline_shows_the_provider_finishing_a_cancelled_order(
    app, user_page, order, provider_at_work, sync_clock
):
    page, path = user_page, f"/orders/{order.id}"
    page.goto(path)
    summary = page.locator("#order-summary")
    page.get_by_role("button", name="Send").click()
    expect(summary).to_have_attribute("data-status", re.compile("sending|in_processing"))
    # Following the registration live is test_lifecycle's; here the page is opened once the
    # worker has registered the order (a change can pass a page by: see open_listening).
    wait_until(lambda: reload(order.id).status == "in_processing", seconds=30)
    page.goto(path)
    expect(summary).to_have_attribute("data-status", "in_processing")

    summary.get_by_role("button", name="Cancel").click()
    dialog = confirm_dialog(page)  # the page asks in its dialog
    expect(dialog.get_by_role("heading", name=re.compile("Cancel order"))).to_be_visible()
    expect(dialog).to_contain_text(
        "The provider cannot be told to stop, so it may still finish the work."
    )
    dialog.get_by_role("button", name="Cancel the order").click()

    expect(summary).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("status").filter(has_text="Order cancelled.")).to_contain_text(
        "If the provider finishes it anyway, its timeline will say so."
    )
    expect(summary.locator(".status-hint")).to_contain_text("it may still finish the work")
    open_listening(app, page, path)  # the page as the customer keeps it open
    mark_page(page)  # from here the page only listens
    provider_at_work.force_state(reload(order.id).external_uuid, "done")  # finished anyway

    note = page.locator(".timeline-note")
    expect(note).to_contain_text(FINISHED_ANYWAY, timeout=30_000)
    expect(summary).to_have_attribute("data-status", "cancelled")
    expect(summary.locator("h1 .badge")).to_have_text("Cancelled")
    expect(summary.locator(".status-hint")).to_have_text("This order is cancelled.")
    assert page_not_reloaded(page)
    assert reload(order.id).status == "cancelled"
    screenshot(page, "cancelled-then-finished")
