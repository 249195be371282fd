"""Russian and English in a real browser: a Russian browser gets Russian from the first page, the
switcher changes the language for good, money, dates and counts follow the language, and a
whole order goes from the form to «Выполнен» in Russian."""

import re
import uuid

from playwright.sync_api import Page, expect

from app.models import OrderStatus
from tests.browser.helpers import (
    live_refresh,
    log_in,
    log_in_in_russian,
    mark_page,
    page_not_reloaded,
    screenshot,
    service,
    until_listening,
)
from tests.browser.orders import order_in_status
from tests.support.language import english_words
from tests.support.orders import reload

RUSSIAN = {"locale": "ru-RU"}
PHONE = {"width": 375, "height": 740}
TWENTY_FOUR_HOURS = re.compile(r"\b([01]\d|2[0-3]):[0-5]\d\b")
TWELVE_HOURS = re.compile(r"\b(AM|PM|am|pm)\b")
ZONES = ("GMT",)  # the browser names the time zone "GMT+3"


def provider_texts(services) -> list[str]:
    return [text for s in services for text in (s.name, s.description) if text]


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_a_russian_browser_sees_russian_from_the_login_page(open_context, seeded_user):
    page = open_context(**RUSSIAN).new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_title("Вход · Click to Mice")
    expect(page.get_by_role("heading", name="Войти")).to_be_visible()
    expect(page.get_by_role("form", name="Язык").get_by_role("button")).to_have_text("English")
    assert english_words(page.content()) == []


def test_the_switcher_changes_the_language_and_it_sticks(open_context, seeded_user):
    page = open_context().new_page()
    log_in(page)
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()
    page.get_by_role("form", name="Language").get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", name="Ваши заказы")).to_be_visible()

    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", name="Войти")).to_be_visible()  # the cookie remembers
    log_in_in_russian(page)
    expect(page.get_by_role("heading", name="Ваши заказы")).to_be_visible()

    elsewhere = open_context().new_page()  # another English browser: the account remembers
    log_in(elsewhere)
    expect(elsewhere.get_by_role("heading", name="Ваши заказы")).to_be_visible()


def test_the_language_is_chosen_on_the_account_page_too(open_context, seeded_user):
    page = open_context(**RUSSIAN).new_page()
    log_in_in_russian(page)
    page.goto("/account")
    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Сохранить язык").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name="English")).to_be_checked()


def test_russian_labels_and_the_switcher_fit_a_phone(open_context, seeded_user, services):
    """At 375 px the longer Russian labels wrap (a draft's three buttons, the header) and no
    page scrolls sideways."""
    order_in_status(seeded_user.id, [services[0].uuid], OrderStatus.DRAFT)
    page = open_context(**RUSSIAN, viewport=PHONE).new_page()
    log_in_in_russian(page)
    expect(page.get_by_role("button", name="Удалить")).to_be_visible()
    for path in ("/", "/orders/new", "/catalog", "/account"):
        page.goto(path)
        assert fits_the_width(page), path
    page.goto("/")
    switcher = page.get_by_role("form", name="Язык").get_by_role("button")
    expect(switcher).to_be_visible()
    assert fits_the_width(page)
    screenshot(page, "phone-header-russian")
    switcher.click()
    expect(page.get_by_role("form", name="Language").get_by_role("button")).to_be_visible()
    assert fits_the_width(page)


def test_money_dates_and_counts_follow_the_language(open_context, seeded_user, services):
    chosen = [s.uuid for s in services[:5]]
    order = order_in_status(seeded_user.id, chosen, OrderStatus.IN_PROCESSING)
    page = open_context(**RUSSIAN).new_page()
    log_in_in_russian(page)
    row = page.locator(f'tr[data-order-id="{order.id}"]')
    expect(row.locator(".order-what")).to_contain_text("и ещё 4")
    gross = f"{order.gross:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0₽"
    expect(row.locator("td.num").last).to_have_text(gross)

    page.goto(f"/orders/{order.id}")
    created = page.locator(".facts time").first
    expect(created).to_have_text(re.compile(r"\d{1,2} [^\s,]+, \d\d:\d\d \((.*назад|только что)\)"))
    assert TWENTY_FOUR_HOURS.search(created.inner_text())
    assert not TWELVE_HOURS.search(created.inner_text())
    given = provider_texts(services)
    assert english_words(page.content(), provider_texts=given, allowed=ZONES) == []

    page.goto("/orders/new")
    page.get_by_label("Найти услугу").fill("logo")
    expect(page.locator("#filter-status")).to_have_text("Подходят 3 услуги из 45.")
    page.get_by_label("Найти услугу").fill("logo pro")
    expect(page.locator("#filter-status")).to_have_text("Подходит 1 услуга из 45.")
    page.get_by_role("button", name="Создать черновик").click()
    expect(page.locator("#totals-hint")).to_have_text(
        "Выберите хотя бы одну услугу: отметьте её в списке."
    )


def test_a_whole_order_in_russian_ends_done_without_a_reload(
    app, open_context, seeded_user, services, provider_at_work, sync_clock, held_sends
):
    page = open_context(**RUSSIAN).new_page()
    log_in_in_russian(page)
    page.get_by_role("link", name="Новый заказ").click()
    service(page, services[0].name).check()
    service(page, services[1].name).check()
    expect(page.locator("#totals-hint")).to_have_text("Выбраны 2 услуги.")
    page.get_by_role("button", name="Создать черновик").click()
    expect(page.get_by_role("status").filter(has_text="Черновик сохранён.")).to_be_visible()

    with until_listening(app, page, "/"):
        page.get_by_role("link", name="Заказы", exact=True).click()
    mark_page(page)
    row = page.locator("tr[data-order-id]")
    with live_refresh(page, "/"):  # the table's reload on hearing of the send
        row.get_by_role("button", name="Отправить").click()
    expect(page.get_by_role("status").filter(has_text="Отправляем ваш заказ")).to_be_visible()
    expect(row).to_have_attribute("data-status", "sending")
    held_sends.release()
    expect(row.locator(".badge")).to_have_text("В работе", timeout=30_000)
    order_id = uuid.UUID(row.get_attribute("data-order-id"))
    provider_at_work.force_state(reload(order_id).external_uuid, "done")
    expect(row.locator(".badge")).to_have_text("Выполнен", timeout=30_000)
    expect(row.get_by_role("button")).to_have_text(["Заказать снова"])
    assert page_not_reloaded(page)
    screenshot(page, "dashboard-done-russian")
