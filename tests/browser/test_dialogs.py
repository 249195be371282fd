"""Cancel and Delete ask in an in-page dialog, with the words of the confirmation page that
readers without JavaScript get: it opens with its safe choice focused, keeps the focus inside,
closes on Escape (nothing changes, the focus goes back to the button) and does the action
when confirmed."""

import re

import pytest
from playwright.sync_api import expect

from app.models import OrderStatus
from app.orders.drafts import create_draft
from tests.browser.helpers import confirm_dialog, log_in, log_in_in_russian
from tests.browser.orders import order_in_status
from tests.support.orders import reload

FOCUS_IN_DIALOG = "document.activeElement.closest('dialog[open]') !== null"


@pytest.fixture
def draft(seeded_user, services):
    return create_draft(seeded_user.id, [services[0].uuid, services[1].uuid])


def no_script_words(open_context, path: str) -> tuple[str, str]:
    """The confirmation page's heading and text, as a browser without JavaScript shows them."""
    page = open_context(java_script_enabled=False).new_page()
    log_in(page)
    page.goto(path)
    return page.locator("main h1").inner_text(), page.locator("main .card p").inner_text()


def test_delete_asks_in_a_dialog_that_keeps_the_focus_and_closes_on_escape(
    open_context, seeded_user, draft
):
    heading, text = no_script_words(open_context, f"/orders/{draft.id}/delete")
    assert heading == f"Delete draft #{draft.short_id}?"
    assert re.fullmatch(r"2 services, [\d.,]+\s₽ gross\. This cannot be undone\.", text), text

    page = open_context().new_page()
    log_in(page)
    page.goto(f"/orders/{draft.id}")
    delete = page.locator("#order-summary").get_by_role("button", name="Delete")
    delete.click()
    dialog = confirm_dialog(page)
    expect(dialog.get_by_role("heading")).to_have_text(heading)
    expect(dialog.locator("p")).to_have_text(text)
    expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    for key in ("Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_IN_DIALOG), f"the focus left the dialog after {key}"

    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    assert reload(draft.id).status == OrderStatus.DRAFT
    assert page.url.endswith(f"/orders/{draft.id}")


def test_delete_confirmed_in_the_dialog_deletes_the_draft(open_context, seeded_user, draft):
    page = open_context().new_page()
    log_in(page)
    page.goto(f"/orders/{draft.id}")
    page.locator("#order-summary").get_by_role("button", name="Delete").click()
    confirm_dialog(page).get_by_role("button", name="Delete draft").click()

    expect(page.get_by_role("status").filter(has_text="Draft deleted.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    assert reload(draft.id) is None


def test_cancel_asks_in_the_readers_language_and_keeps_the_order_when_kept(
    open_context, seeded_user, services
):
    order = order_in_status(seeded_user.id, [services[0].uuid], OrderStatus.IN_PROCESSING)
    page = open_context(locale="ru-RU").new_page()
    log_in_in_russian(page)
    page.goto(f"/orders/{order.id}")
    page.locator("#order-summary").get_by_role("button", name="Отменить").click()
    dialog = confirm_dialog(page)
    expect(dialog.get_by_role("heading")).to_have_text(f"Отменить заказ №{order.short_id}?")
    expect(dialog).to_contain_text("1 услуга")
    dialog.get_by_role("button", name="Оставить в работе").click()
    expect(dialog).to_be_hidden()
    assert reload(order.id).status == OrderStatus.IN_PROCESSING

    page.locator("#order-summary").get_by_role("button", name="Отменить").click()
    confirm_dialog(page).get_by_role("button", name="Отменить заказ").click()
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "cancelled")
    assert reload(order.id).status == OrderStatus.CANCELLED


def test_a_done_row_action_is_confirmed_by_a_toast_beside_it(open_context, seeded_user, draft):
    page = open_context().new_page()
    log_in(page)
    row = page.locator(f'tr[data-order-id="{draft.id}"]')
    delete = row.get_by_role("button", name="Delete")
    below = delete.bounding_box()
    delete.click()
    confirm_dialog(page).get_by_role("button", name="Delete draft").click()

    toast = page.locator(".toast[aria-live=polite]")
    expect(toast).to_have_text("Draft deleted.")
    box = toast.bounding_box()
    assert 0 <= box["y"] - (below["y"] + below["height"]) <= 20, (box, below)
    # The message readers without JavaScript get stays, but is not announced twice.
    flash = page.locator("#flash .flash")
    expect(flash).to_have_text(re.compile("Draft deleted."))
    expect(flash).to_have_attribute("aria-live", "off")
