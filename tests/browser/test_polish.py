"""Small things a first-time customer notices: the header lines up with the content, the nav
does not move between pages, New order is one marked link, the catalog's Search button ends
with the cards, times read naturally, Failed is explained, and a tax rate is named only when
every chosen service has it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from app.catalog.store import FRESH_KEY
from app.extensions import cache
from app.models import OrderStatus
from tests.browser.helpers import service
from tests.browser.orders import order_in_status

PAGES = ("/", "/catalog", "/orders/new", "/account")


def left(locator) -> float:
    return locator.bounding_box()["x"]


def right(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def nav(page):
    return page.get_by_role("navigation", name="Main")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_header_lines_up_with_the_content(user_page, width):
    page = user_page
    page.set_viewport_size({"width": width, "height": 800})
    for path in PAGES:
        page.goto(path)
        brand = page.get_by_role("link", name="Click to Mice")
        heading = page.locator("main h1").first
        assert abs(left(brand) - left(heading)) <= 1, (path, left(brand), left(heading))


def test_the_nav_stays_put_and_marks_the_current_page(user_page, seeded_user, services):
    order_in_status(seeded_user.id, [services[0].uuid], OrderStatus.DRAFT)
    page = user_page
    places = {}
    current = {"/": "Orders", "/catalog": "Catalog", "/orders/new": "New order", "/account": None}
    for path in PAGES:
        page.goto(path)
        links = nav(page).get_by_role("link")
        places[path] = [(round(left(link)), round(right(link))) for link in links.all()]
        marked = nav(page).locator('[aria-current="page"]')
        if current[path]:
            expect(marked).to_have_text(current[path])
        else:
            expect(marked).to_have_count(0)
    assert len(set(map(tuple, places.values()))) == 1, places
    page.goto("/")
    expect(page.get_by_role("link", name="New order")).to_have_count(1)


def test_the_catalog_search_button_ends_with_the_cards(user_page):
    page = user_page
    page.goto("/catalog")
    button = page.get_by_role("button", name="Search")
    grid = page.locator(".service-grid")
    assert abs(right(button) - right(grid)) <= 1, (right(button), right(grid))
    summary = page.locator(".results-summary")
    expect(summary).not_to_contain_text("as of now")
    expect(summary).to_contain_text(re.compile(r"Prices as of \w{3} \d{1,2}, \d\d:\d\d\."))


def test_the_failed_filter_says_what_failed_means(user_page):
    page = user_page
    page.get_by_role("navigation", name="Filter by status").get_by_role(
        "link", name="Failed"
    ).click()
    expect(page.get_by_text("Failed means the provider accepted the order")).to_be_visible()
    expect(page.get_by_text("No orders with the status “Failed”.")).to_be_visible()


def catalog_item(name: str, price: str, tax: str) -> dict:
    gross = f"{float(price) + float(tax):.2f}"
    return {"uuid": str(uuid.uuid4()), "name": name, "price": price, "tax": tax, "gross": gross}


def test_the_tax_rate_is_named_only_when_every_service_has_it(user_page, sandbox):
    sandbox.serve_catalog_page(
        [
            catalog_item("Full rate A", "100.00", "22.00"),
            catalog_item("Full rate B", "49.90", "10.98"),
            catalog_item("Reduced rate", "100.00", "10.00"),
        ]
    )
    cache.delete(FRESH_KEY)
    page = user_page
    page.goto("/orders/new")
    tax_label = page.locator("#totals dt").nth(2)
    expect(tax_label).to_have_text("Tax")
    service(page, "Full rate A").check()
    service(page, "Full rate B").check()
    expect(tax_label).to_have_text("Tax (22 %)")
    service(page, "Reduced rate").check()
    expect(page.locator('#totals [data-total="count"]')).to_have_text("3")
    expect(tax_label).to_have_text("Tax")
    service(page, "Full rate A").uncheck()
    service(page, "Full rate B").uncheck()
    expect(tax_label).to_have_text("Tax (10 %)")
