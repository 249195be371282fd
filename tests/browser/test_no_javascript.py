"""Without JavaScript the same pages are plain forms: log in, create, send, cancel, delete."""

import re

import pytest
from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import log_in, screenshot, service


@pytest.fixture
def plain_page(open_context, seeded_user):
    """A logged-in page in a browser context with JavaScript switched off."""
    page = open_context(java_script_enabled=False).new_page()
    log_in(page)
    return page


def test_create_send_and_cancel_without_javascript(plain_page, worker, held_sends):
    page = plain_page
    expect(page.get_by_role("heading", name="No orders yet")).to_be_visible()
    page.get_by_role("link", name="Create your first order").click()
    expect(page.get_by_label("Filter services")).to_be_hidden()
    service(page, "SEO audit — Basic").check()
    service(page, "Logo design — Basic").check()
    page.get_by_role("button", name="Create draft").click()

    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    expect(page.locator("tfoot")).to_have_text(
        re.compile(r"Total\s*169.90\s₽\s*37.38\s₽\s*207.28\s₽")
    )
    page.get_by_role("button", name="Send").click()

    # The page after the send is drawn while the send waits for the worker, so it says so.
    expect(page.get_by_role("status").filter(has_text="Sending your order")).to_be_visible()
    summary = page.locator("#order-summary")
    expect(summary).to_have_attribute("data-status", "sending")
    held_sends.release()
    # Without JavaScript the page of a changing order reloads itself (a <noscript> refresh).
    expect(summary).to_have_attribute("data-status", "in_processing", timeout=30_000)
    screenshot(page, "no-js-order-in-processing")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name=re.compile("Cancel order"))).to_be_visible()
    page.get_by_role("button", name="Cancel the order").click()

    expect(page.get_by_role("status").filter(has_text="Order cancelled.")).to_be_visible()
    expect(summary).to_have_attribute("data-status", "cancelled")
    page.get_by_role("link", name="All orders").click()
    rows = page.locator("tr[data-order-id]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-status", "cancelled")
    expect(rows.first.locator(".badge")).to_have_text("Cancelled")


def test_an_empty_order_is_refused_with_the_reason(plain_page, browser_errors):
    browser_errors.allow(r"status of 422")
    page = plain_page
    page.goto("/orders/new")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("alert")).to_have_text("Choose at least one service.")
    expect(page).to_have_url(re.compile(r"/orders/new$"))


def test_deleting_a_draft_asks_on_its_own_page(plain_page, seeded_user, services):
    order = create_draft(seeded_user.id, [services[0].uuid])
    page = plain_page
    page.goto("/")
    page.locator(f'tr[data-order-id="{order.id}"]').get_by_role("button", name="Delete").click()

    expect(page).to_have_title(f"Delete draft #{order.short_id} · Click to Mice")
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft deleted.")).to_be_visible()
    expect(page.locator("tr[data-order-id]")).to_have_count(0)


def test_the_totals_are_worked_out_on_request_without_javascript(plain_page):
    page = plain_page
    page.goto("/orders/new")
    service(page, "SEO audit — Basic").check()
    service(page, "Logo design — Basic").check()
    expect(page.locator('#totals [data-total="gross"]')).to_have_text("0.00 ₽")  # not yet

    page.get_by_role("button", name="Update totals").click()

    expect(page.locator('#totals [data-total="count"]')).to_have_text("2")
    expect(page.locator('#totals [data-total="gross"]')).to_have_text("207.28 ₽")
    expect(page.locator("#totals-hint")).to_have_text("2 services selected.")
    expect(page.get_by_role("group", name="In this order").get_by_role("checkbox")).to_have_count(2)
    service(page, "Logo design — Basic").uncheck()
    page.get_by_role("button", name="Update totals").click()
    expect(page.locator('#totals [data-total="gross"]')).to_have_text("60.88 ₽")
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("tfoot")).to_have_text(
        re.compile(r"Total\s*49.90\s₽\s*10.98\s₽\s*60.88\s₽")
    )


def test_only_browsers_without_javascript_see_update_totals(user_page):
    user_page.goto("/orders/new")
    expect(user_page.get_by_role("button", name="Create draft")).to_be_visible()
    expect(user_page.get_by_role("button", name="Update totals")).to_have_count(0)
