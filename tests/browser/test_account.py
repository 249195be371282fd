"""The account page: reached from the header, shows the email, changes the password (the
current one required, the new one checked), with errors next to their fields."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import SEEDED_EMAIL, SEEDED_PASSWORD, log_in, screenshot

NEW_PASSWORD = "a-longer-secret"


def fill_password_form(page, current, new, repeat=None):
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password").fill(repeat or new)
    page.get_by_role("button", name="Change password").click()


def test_changing_the_password_from_the_account_page(user_page, browser_errors, open_context):
    browser_errors.allow(r"status of 422")
    page = user_page
    page.get_by_role("link", name=f"Your account: {SEEDED_EMAIL}").click()
    expect(page).to_have_title("Your account · Click to Mice")
    expect(page.locator('[data-account="email"]')).to_have_text(SEEDED_EMAIL)
    expect(page.get_by_role("link", name=f"Your account: {SEEDED_EMAIL}")).to_have_attribute(
        "aria-current", "page"
    )

    fill_password_form(page, "not-my-password", NEW_PASSWORD)
    current = page.get_by_label("Current password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#current_password-error")).to_have_text(
        "That is not your current password."
    )
    fill_password_form(page, SEEDED_PASSWORD, "short")
    expect(page.locator("#new_password-error")).to_have_text(
        "The new password needs 6 to 128 characters."
    )
    expect(page.get_by_label("New password", exact=True)).to_have_attribute(
        "aria-describedby", "new_password-hint new_password-error"
    )
    screenshot(page, "account-refused")

    fill_password_form(page, SEEDED_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_role("status").filter(has_text="Your password is changed")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account$"))
    screenshot(page, "account")

    other = open_context().new_page()
    log_in(other, SEEDED_EMAIL, NEW_PASSWORD)
    expect(other.get_by_role("heading", name="Your orders")).to_be_visible()
