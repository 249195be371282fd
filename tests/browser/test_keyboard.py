"""Keyboard-only use: Tab, Space, Enter and typing, never a click; the focus is always visible."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import SEEDED_EMAIL, SEEDED_PASSWORD, is_focused, service, tab_to


def outline_of(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).outlineStyle")


def test_logging_in_with_the_keyboard_only(page, seeded_user):
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(SEEDED_EMAIL)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(SEEDED_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()


def test_creating_an_order_with_the_keyboard_only(user_page):
    page = user_page
    new_order = page.get_by_role("navigation", name="Main").get_by_role("link", name="New order")
    tab_to(page, new_order)
    assert outline_of(new_order) == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_title("New order · Click to Mice")

    tab_to(page, page.get_by_label("Filter services"))
    page.keyboard.type("logo")
    expect(page.get_by_text("3 of 45 services match.")).to_be_visible()
    for name in ("Logo design — Basic", "Logo design — Pro"):
        box = service(page, name)
        tab_to(page, box)
        assert outline_of(box.locator("xpath=..")) == "solid", "the ticked row shows the focus"
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    expect(page.locator('#totals [data-total="gross"]')).to_have_text("1,024.80 ₽")

    create = page.get_by_role("button", name="Create draft")
    tab_to(page, create)
    assert is_focused(create)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    expect(page.locator("tfoot")).to_contain_text("840.00")
    expect(page.locator("tbody tr")).to_have_count(2)
