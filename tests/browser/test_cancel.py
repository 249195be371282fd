"""Cancel says what it does: the provider cannot be told to stop. When the provider later
reports the order finished, the open order page shows it on the timeline, and the order stays
Cancelled."""

import re

import pytest
from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import (
    mark_page,
    open_listening,
    page_not_reloaded,
    screenshot,
)
from tests.support.orders import reload

FINISHED_ANYWAY = "The provider finished this order after it was cancelled here."


@pytest.fixture
def order(seeded_user, services):
    return create_draft(seeded_user.id, [services[0].uuid])


def test_the_timeline_shows_the_provider_finishing_a_cancelled_order(
    app, user_page, order, provider_at_work, sync_clock, held_sends
):
    page, path = user_page, f"/orders/{order.id}"
    open_listening(app, page, path, live_region=False)  # a draft's summary stays put
    summary = page.locator("#order-summary")
    page.get_by_role("button", name="Send").click()
    expect(summary).to_have_attribute("data-status", "sending")
    # Open afresh, listening and quiet, before the worker registers the order: a change that
    # reaches the summary while its reload for the send is on its way would be dropped.
    open_listening(app, page, path)
    held_sends.release()
    expect(summary).to_have_attribute("data-status", "in_processing", timeout=30_000)

    summary.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name=re.compile("Cancel order"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "The provider cannot be told to stop, so it may still finish the work."
    )
    page.get_by_role("button", name="Cancel the order").click()

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
