"""The account page's API tokens in a browser, in English and in Russian: made, shown once,
used (the page then says when), and revoked (the API then refuses it)."""

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_in_in_russian, screenshot

ENGLISH = {
    "locale": {},
    "log_in": log_in,
    "name": "Name",
    "access": "Access",
    "read_write": "Read and write",
    "create": "Create token",
    "shown_once": "it is shown only this once",
    "revoke": "Revoke",
    "revoked": "Revoked",
    "never": "never",
    "heading": "API tokens",
}
RUSSIAN = {
    "locale": {"locale": "ru-RU"},
    "log_in": log_in_in_russian,
    "name": "Название",
    "access": "Доступ",
    "read_write": "Чтение и запись",
    "create": "Создать токен",
    "shown_once": "он показывается только один раз",
    "revoke": "Отозвать",
    "revoked": "Отозван",
    "never": "никогда",
    "heading": "Токены API",
}


def call_api(base_url: str, secret: str) -> int:
    headers = {"Authorization": f"Bearer {secret}"}
    return requests.get(f"{base_url}/api/v1/orders", headers=headers, timeout=10).status_code


@pytest.mark.parametrize("words", [ENGLISH, RUSSIAN], ids=["english", "russian"])
def test_a_token_is_made_shown_once_used_and_revoked(open_context, live_server, seeded_user, words):
    page = open_context(**words["locale"]).new_page()
    words["log_in"](page)
    page.goto("/account")
    tokens = page.locator("#api-tokens")
    expect(tokens.get_by_role("heading", name=words["heading"], exact=True)).to_be_visible()

    tokens.get_by_label(words["name"]).fill("Shop")
    tokens.get_by_label(words["access"]).select_option(label=words["read_write"])
    tokens.get_by_role("button", name=words["create"]).click()
    expect(tokens.locator("[data-new-token]")).to_contain_text(words["shown_once"])
    secret = tokens.locator("[data-token-secret]").input_value()
    assert secret.startswith("ctm_") and len(secret) == 44
    row = tokens.locator("tr", has_text="Shop")
    expect(row.locator("[data-token-last-used]")).to_have_text(words["never"])
    screenshot(page, f"api-token-made-{'ru' if words is RUSSIAN else 'en'}")

    assert call_api(live_server.url, secret) == 200
    page.goto("/account")
    expect(tokens.locator("[data-new-token]")).to_have_count(0)
    assert secret not in page.content()
    expect(row.locator("[data-token-last-used] time")).to_be_visible()

    row.get_by_role("button", name=words["revoke"]).click()
    expect(row.locator("[data-token-revoked]")).to_have_text(words["revoked"])
    assert call_api(live_server.url, secret) == 401


def test_a_nameless_token_is_refused_next_to_its_field(open_context, seeded_user, browser_errors):
    browser_errors.allow(r"status of 422")
    page = open_context().new_page()
    log_in(page)
    page.goto("/account")
    page.locator("#api-tokens").get_by_role("button", name="Create token").click()
    expect(page.locator("#name-error")).to_have_text("Name the token.")
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-no-tokens]")).to_be_visible()
