"""Phones (375 px wide): the new-order page keeps its totals and action on screen, an order's
services fit the screen, and no page scrolls sideways."""

from playwright.sync_api import expect

from app.models import OrderStatus
from app.money import format_money
from tests.browser.helpers import screenshot, service
from tests.browser.orders import order_in_status

PHONE = {"width": 375, "height": 740}


def within_screen(locator) -> bool:
    """The element lies wholly inside the visible part of the page."""
    return locator.evaluate(
        """element => { const box = element.getBoundingClientRect();
          return box.left >= 0 && box.top >= 0 && box.right <= innerWidth
                 && box.bottom <= innerHeight && box.width > 0; }"""
    )


def test_the_totals_and_the_action_stay_on_a_phones_screen(user_page):
    page = user_page
    page.set_viewport_size(PHONE)
    page.goto("/orders/new")
    create = page.get_by_role("button", name="Create draft")
    gross = page.locator('#totals [data-total="gross"]')
    assert within_screen(create) and within_screen(gross)

    far_down = service(page, "Brand style guide — Pro")
    far_down.check()  # scrolls to the last service of 45

    expect(gross).to_have_text("1,098.00 ₽")
    assert within_screen(create) and within_screen(gross)
    assert within_screen(far_down), "the bar must not hide the service just ticked"
    screenshot(page, "phone-new-order")
    create.click()
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "draft")


def test_an_orders_services_fit_a_phones_screen(user_page, seeded_user, services):
    names = {s.name: s.uuid for s in services}
    wanted = ["Translation, 1,000 words — Pro", "Security check — Pro", "Logo design — Pro"]
    order = order_in_status(seeded_user.id, [names[n] for n in wanted], OrderStatus.DONE)
    page = user_page
    page.set_viewport_size(PHONE)
    page.goto(f"/orders/{order.id}")
    for cell in page.locator('.items-table td[data-label="Gross"]').all():
        cell.scroll_into_view_if_needed()
        assert within_screen(cell), cell.inner_text()
    total = page.locator('.items-table tfoot td[data-label="Gross"]')
    expect(total).to_have_text(format_money(order.gross))
    assert within_screen(total)
    screenshot(page, "phone-order")


def test_no_page_scrolls_sideways_on_a_phone(user_page, seeded_user, services):
    draft = order_in_status(seeded_user.id, [services[0].uuid], OrderStatus.DRAFT)
    done = order_in_status(seeded_user.id, [s.uuid for s in services[:6]], OrderStatus.DONE)
    page = user_page
    page.set_viewport_size(PHONE)
    paths = [
        "/",
        "/?q=seo",
        "/catalog",
        "/orders/new",
        f"/orders/{draft.id}/edit",
        f"/orders/add?service={services[3].uuid}",
        f"/orders/{done.id}",
        "/account",
    ]
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways ({width}px)"
    screenshot(page, "phone-account")
