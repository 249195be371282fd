"""Logging in and out in the browser, with the mouse and with the keyboard only."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import SEEDED_EMAIL, SEEDED_PASSWORD, log_in, screenshot, tab_to


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


def test_logging_in_with_the_keyboard_only(page, seeded_user):
    page.goto("/login")
    email = page.get_by_label("Email")
    expect(email).to_be_focused()
    page.keyboard.type(SEEDED_EMAIL)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(SEEDED_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()
