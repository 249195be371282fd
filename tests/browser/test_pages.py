"""The main pages as a customer sees them, saved as screenshots (test-artifacts/screenshots)."""

from playwright.sync_api import expect

from app.models import OrderStatus
from tests.browser.helpers import screenshot
from tests.browser.orders import order_in_status

STATUSES = [
    OrderStatus.DRAFT,
    OrderStatus.SENDING,
    OrderStatus.IN_PROCESSING,
    OrderStatus.DONE,
    OrderStatus.CANCELLED,
    OrderStatus.FAILED,
]


def test_main_pages(user_page, seeded_user, services):
    uuids = [s.uuid for s in services]
    orders = [
        order_in_status(seeded_user.id, uuids[i : i + 1 + i % 3], status)
        for i, status in enumerate(STATUSES)
    ]
    page = user_page
    page.goto("/")
    expect(page.locator("tr[data-order-id]")).to_have_count(len(STATUSES))
    screenshot(page, "dashboard")
    page.goto("/catalog")
    screenshot(page, "catalog")
    page.goto(f"/orders/new?service={uuids[0]}")
    screenshot(page, "new-order")
    page.goto(f"/orders/{orders[3].id}")
    screenshot(page, "order-done")
    page.goto(f"/orders/{orders[0].id}")
    screenshot(page, "order-draft")
