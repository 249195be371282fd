"""The webhooks section of the account page in a real browser, in English and in Russian: an
endpoint registered with its secret shown once, a test event delivered (the receiver verifies
its signature with that secret), sent again, a new secret, disabled, enabled and deleted."""

import re
import time

import pytest
from playwright.sync_api import Page, expect
from standardwebhooks import Webhook

from tests.browser.helpers import RUSSIAN_LOGIN, log_in, screenshot
from tests.support.language import english_words
from tests.webhooks.receiver import Receiver

ENGLISH = {
    "context": {},
    "login": None,
    "title": "Webhooks",
    "address": "Address",
    "add": "Add endpoint",
    "choose_one": "Choose at least one event.",
    "done": "Done",
    "test": "Send a test event",
    "refresh": "Refresh",
    "again": "Send again",
    "back": "Back to your account",
    "rotate": "New secret",
    "disable": "Disable",
    "enable": "Enable",
    "delete": "Delete",
    "disabled": "Disabled by you",
}
RUSSIAN = {
    "context": {"locale": "ru-RU"},
    "login": RUSSIAN_LOGIN,
    "title": "Вебхуки",
    "address": "Адрес",
    "add": "Добавить адрес",
    "choose_one": "Выберите хотя бы одно событие.",
    "done": "Выполнен",
    "test": "Отправить тестовое событие",
    "refresh": "Обновить",
    "again": "Отправить снова",
    "back": "Назад в аккаунт",
    "rotate": "Новый секрет",
    "disable": "Отключить",
    "enable": "Включить",
    "delete": "Удалить",
    "disabled": "Отключён вами",
}


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def wait_for_attempts(page: Page, words: dict, count: int, seconds: float = 20) -> None:
    """Refresh the delivery log until it shows `count` delivered attempts."""
    delivered = page.locator('tr[data-outcome="delivered"]')
    deadline = time.monotonic() + seconds
    while delivered.count() < count and time.monotonic() < deadline:
        time.sleep(0.3)
        page.get_by_role("link", name=words["refresh"]).click()
    expect(delivered).to_have_count(count)


def english_left(page: Page, receiver: Receiver, secret: str = "") -> list[str]:
    """English on the page, but the receiver's words, a secret's letters and the browser's name
    of its time zone."""
    texts = [receiver.url, "webhook.test", "thanks", secret]
    return english_words(page.content(), provider_texts=texts, allowed=["GMT"])


@pytest.mark.parametrize("words", [ENGLISH, RUSSIAN], ids=["english", "russian"])
def test_an_endpoint_from_registration_to_deletion(
    open_context, seeded_user, worker, receiver, browser_errors, words
):
    browser_errors.allow(r"status of 422")
    page = open_context(**words["context"]).new_page()
    log_in(page, **({"labels": words["login"]} if words["login"] else {}))
    page.goto("/account")
    section = page.locator("#webhooks")
    expect(section.get_by_role("heading", name=words["title"])).to_be_visible()

    address = section.get_by_label(words["address"])
    address.fill(receiver.url)
    for box in section.get_by_role("checkbox").all():
        box.uncheck()
    section.get_by_role("button", name=words["add"]).click()
    expect(page.locator("#webhook-types-error")).to_have_text(words["choose_one"])
    expect(page.locator("#webhooks").get_by_label(words["address"])).to_have_value(receiver.url)

    section = page.locator("#webhooks")
    section.get_by_role("checkbox", name=words["done"], exact=True).check()
    section.get_by_role("button", name=words["add"]).click()
    secret = page.locator("[data-secret-value]").inner_text()
    assert secret.startswith("whsec_")
    if words is RUSSIAN:
        assert english_left(page, receiver, secret) == []
    screenshot(page, f"webhooks-registered-{'ru' if words is RUSSIAN else 'en'}")

    page.goto("/account")
    expect(page.locator("[data-secret-value]")).to_have_count(0)  # shown once
    page.locator("#webhooks").get_by_role("button", name=words["test"]).click()
    expect(page).to_have_url(re.compile(r"/account/webhooks/[0-9a-f-]+$"))
    wait_for_attempts(page, words, 1)
    [got] = receiver.received
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
    expect(page.locator('tr[data-outcome="delivered"] [data-status]')).to_have_text("200")
    if words is RUSSIAN:
        assert english_left(page, receiver) == []

    page.get_by_role("button", name=words["again"]).click()
    wait_for_attempts(page, words, 2)
    assert len(receiver.received) == 2

    page.get_by_role("link", name=words["back"]).click()
    page.locator("#webhooks").get_by_role("button", name=words["rotate"]).click()
    new = page.locator("[data-secret-value]").inner_text()
    assert new.startswith("whsec_") and new != secret

    page.locator("#webhooks").get_by_role("button", name=words["disable"]).click()
    expect(page.locator('[data-state="disabled"]')).to_contain_text(words["disabled"])
    expect(page.locator("#webhooks").get_by_role("button", name=words["test"])).to_be_disabled()
    if words is RUSSIAN:
        assert english_left(page, receiver) == []
    page.locator("#webhooks").get_by_role("button", name=words["enable"]).click()
    expect(page.locator('[data-state="enabled"]')).to_be_visible()
    page.locator("#webhooks").get_by_role("button", name=words["delete"]).click()
    expect(page.locator("[data-endpoint]")).to_have_count(0)
