"""Telling orders apart: each row says what the order holds, the list can be searched by
service name or order number together with the status filter, and a summary sits above it."""

import re

import pytest
from playwright.sync_api import expect

from app.models import OrderStatus
from tests.browser.helpers import mark_page, page_not_reloaded, screenshot
from tests.browser.orders import order_in_status


@pytest.fixture
def orders(seeded_user, services):
    """A draft of three services, a done order and an order in processing, oldest first."""
    by_name = {s.name: s.uuid for s in services}
    wanted = [
        (["Logo design — Basic", "SEO audit — Basic", "Logo design — Pro"], OrderStatus.DRAFT),
        (["SEO audit — Standard"], OrderStatus.DONE),
        (["Newsletter setup — Basic", "Customer survey — Basic"], OrderStatus.IN_PROCESSING),
    ]
    return [
        order_in_status(seeded_user.id, [by_name[n] for n in names], status)
        for names, status in wanted
    ]


def rows(page):
    return page.locator("tr[data-order-id]")


def test_rows_say_what_each_order_holds_under_a_summary(user_page, orders):
    logo, seo, news = orders
    page = user_page
    page.goto("/")
    expect(rows(page)).to_have_count(3)
    expect(rows(page).nth(2).locator(".order-link")).to_have_text(
        f"Logo design — Basic + 2 more #{logo.short_id}"
    )
    expect(rows(page).nth(1).locator(".order-link")).to_have_text(
        f"SEO audit — Standard #{seo.short_id}"
    )
    expect(rows(page).first.locator(".order-link")).to_have_text(
        f"Newsletter setup — Basic + 1 more #{news.short_id}"
    )
    stats = page.locator(".stats")
    expect(stats.locator('[data-stat="in-progress"]')).to_have_text("1")
    expect(stats.locator('[data-stat="done"]')).to_have_text("1")
    expect(stats.locator('[data-stat="spent"]')).to_have_text(f"{seo.gross:.2f} ₽")


def test_searching_by_name_and_number_with_the_status_filter(user_page, orders):
    logo, seo, news = orders
    page = user_page
    page.goto("/")
    mark_page(page)
    search = page.get_by_label("Search orders")

    search.press_sequentially("seo")
    expect(page).to_have_url(re.compile(r"/\?q=seo$"))
    expect(rows(page)).to_have_count(2)
    page.get_by_role("navigation", name="Filter by status").get_by_role("link", name="Done").click()
    expect(page).to_have_url(re.compile(r"/\?status=done&q=seo$"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_have_attribute("data-order-id", str(seo.id))
    screenshot(page, "orders-searched")

    search.fill("logo")  # the filter stays: Done orders holding a logo, of which there are none
    expect(page.get_by_text("No orders with the status “Done” match “logo”.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/\?q=logo&status=done$"))
    page.get_by_role("navigation", name="Filter by status").get_by_role("link", name="All").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_have_attribute("data-order-id", str(logo.id))

    search.fill(f"#{news.short_id}")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_have_attribute("data-order-id", str(news.id))
    expect(search).to_be_focused()  # the list reloads under the box; typing goes on
    assert page_not_reloaded(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=logo$"))
    expect(search).to_have_value("logo")


def test_a_reload_on_its_way_never_undoes_a_click(user_page, orders):
    """The list reloads itself (a pushed change, the timer); when such a reload lands while
    the answer to the reader's click is still on its way, the click's answer still shows."""
    page = user_page
    reload_ = re.compile(r"/\?page=1$")
    with page.expect_response(reload_):  # the reload every page makes when its stream opens
        page.goto("/")
    failed = re.compile(r"/\?status=failed$")
    held = []
    page.route(failed, lambda route: held.append(route))
    with page.expect_request(failed):
        page.get_by_role("navigation", name="Filter by status").get_by_role(
            "link", name="Failed"
        ).click()
    with page.expect_response(reload_):
        page.evaluate("htmx.trigger('#orders-table', 'sse:order-changed')")  # as a push does
    held[0].continue_()
    page.unroute(failed)

    expect(page.get_by_text("Failed means the provider accepted the order")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Filter by status").get_by_role("link", name="Failed")
    ).to_have_attribute("aria-current", "true")
    expect(rows(page)).to_have_count(0)
