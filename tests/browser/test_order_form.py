"""Building orders: live totals from the server, exact to the cent; edit and delete drafts."""

import re
import threading

from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import confirm_in_dialog, screenshot, service
from tests.browser.live import hold_view

TOTAL_FIELDS = ("count", "price", "tax", "gross")


def expect_totals(page, count, price, tax, gross):
    for field, value in zip(TOTAL_FIELDS, (count, price, tax, gross), strict=True):
        expect(page.locator(f'#totals [data-total="{field}"]')).to_have_text(value)


def test_creating_an_order_with_live_totals(user_page):
    page = user_page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New order").click()
    expect(page).to_have_title("New order · Click to Mice")
    expect_totals(page, "0", "0.00 ₽", "0.00 ₽", "0.00 ₽")
    expect(page.locator("#totals-hint")).to_have_text(
        "Nothing selected yet: tick at least one service."
    )

    service(page, "SEO audit — Basic").check()
    expect_totals(page, "1", "49.90 ₽", "10.98 ₽", "60.88 ₽")
    service(page, "Newsletter setup — Basic").check()
    service(page, "Customer survey — Basic").check()
    expect_totals(page, "3", "102.09 ₽", "22.46 ₽", "124.55 ₽")
    service(page, "Newsletter setup — Basic").uncheck()
    expect_totals(page, "2", "72.10 ₽", "15.86 ₽", "87.96 ₽")
    expect(page.locator("#totals-hint")).to_have_text("2 services selected.")
    service(page, "Newsletter setup — Basic").check()
    expect_totals(page, "3", "102.09 ₽", "22.46 ₽", "124.55 ₽")
    screenshot(page, "new-order-ticked")

    page.get_by_role("button", name="Create draft").click()

    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    expect(page.locator("#order-summary h1 .badge")).to_have_text("Draft")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tfoot")).to_have_text(
        re.compile(r"Total\s*102.09\s₽\s*22.46\s₽\s*124.55\s₽")
    )


def test_nothing_selected_is_said_before_sending_the_form(user_page):
    page = user_page
    page.goto("/orders/new")
    page.get_by_role("button", name="Create draft").click()

    hint = page.get_by_role("alert")
    expect(hint).to_have_text("Choose at least one service: tick it in the list.")
    expect(service(page, "SEO audit — Basic")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/orders/new$"))


def test_filtering_the_services_keeps_the_ticked_ones(user_page):
    page = user_page
    page.goto("/orders/new")
    service(page, "SEO audit — Basic").check()
    expect_totals(page, "1", "49.90 ₽", "10.98 ₽", "60.88 ₽")
    search = page.get_by_label("Filter services")

    search.fill("logo")
    search.press("Enter")

    expect(page.locator(".pick:visible")).to_have_count(4)
    expect(page.get_by_text("3 of 45 services match.")).to_be_visible()
    expect(service(page, "SEO audit — Basic")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/orders/new$"))
    search.fill("nothing like this")
    expect(page.get_by_text("No service matches this filter.")).to_be_visible()
    search.fill("")
    expect(page.locator(".pick:visible")).to_have_count(45)


def test_a_total_replaced_by_a_newer_one_is_dropped_quietly(app, user_page, browser_errors):
    """Two ticks in a row: the first total, still on its way, is aborted for the second (the
    form's hx-sync), which is no error; the browser_errors fixture fails on any console error."""
    released = threading.Event()
    hold_view(app, "orders.totals", released.is_set)
    page = user_page
    page.goto("/orders/new")
    with page.expect_request(re.compile(r"/orders/totals")):
        service(page, "SEO audit — Basic").check()
    with page.expect_event("requestfailed"):  # the first total, aborted
        service(page, "Customer survey — Basic").check()
    released.set()
    expect_totals(page, "2", "72.10 ₽", "15.86 ₽", "87.96 ₽")
    assert browser_errors.unexpected() == []


def test_editing_then_deleting_a_draft(user_page, seeded_user, services):
    by_name = {s.name: s.uuid for s in services}
    chosen = [by_name["SEO audit — Basic"], by_name["Customer survey — Basic"]]
    order = create_draft(seeded_user.id, chosen)
    page = user_page
    page.goto(f"/orders/{order.id}")
    page.get_by_role("link", name="Edit").click()

    expect(page).to_have_title(f"Edit draft #{order.short_id} · Click to Mice")
    expect_totals(page, "2", "72.10 ₽", "15.86 ₽", "87.96 ₽")
    service(page, "Customer survey — Basic").uncheck()
    service(page, "Security check — Basic").check()
    expect_totals(page, "2", "183.23 ₽", "40.31 ₽", "223.54 ₽")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("status").filter(has_text="Draft updated.")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Security check — Basic")
    expect(page.locator("tfoot")).to_contain_text("223.54")

    page.get_by_role("link", name="All orders").click()
    row = page.locator(f'tr[data-order-id="{order.id}"]')
    expect(row.locator("[data-local]").first).to_have_text(re.compile(r"\w{3} \d{1,2}, \d\d:\d\d"))
    row.get_by_role("button", name="Delete").click()
    confirm_in_dialog(page, "Delete draft")

    expect(row).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Draft deleted.")).to_be_visible()
    expect(page.get_by_role("heading", name="No orders yet")).to_be_visible()
