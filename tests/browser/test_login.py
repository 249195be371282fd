"""Logging in and out in the browser."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import SEEDED_EMAIL, log_in, screenshot


def test_the_seeded_user_logs_in_and_out(page, seeded_user):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page).to_have_title("Log in · Click to Mice")
    screenshot(page, "login")
    log_in(page)
    expect(page).to_have_title("Your orders · Click to Mice")
    expect(page.get_by_text(SEEDED_EMAIL)).to_be_visible()

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status").filter(has_text="You are logged out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_wrong_password_is_refused_with_a_message(page, seeded_user, browser_errors):
    browser_errors.allow(r"status of 401")
    page.goto("/login")
    page.get_by_label("Email").fill(SEEDED_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_text("Wrong email or password.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Email")).to_have_value(SEEDED_EMAIL)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
