"""The account page: reached from the header, shows the email, changes the password (the
current one required, the new one checked), with errors next to their fields."""

import re

import pytest
from playwright.sync_api import expect

from app.accounts import change_password
from app.extensions import db
from app.models import User
from app.orders.drafts import create_draft
from tests.browser.helpers import (
    SEEDED_EMAIL,
    SEEDED_PASSWORD,
    STREAM,
    log_in,
    screenshot,
    stream_requests,
)

NEW_PASSWORD = "a-longer-secret"


@pytest.fixture
def draft_order(seeded_user, services):
    return create_draft(seeded_user.id, [services[0].uuid])


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


def test_a_new_password_takes_the_other_pages_to_the_login_page(
    user_page, open_context, seeded_user, draft_order
):
    other = open_context().new_page()
    with other.expect_response(STREAM):  # the dashboard's stream
        log_in(other)
    with other.expect_response(STREAM):  # the order page's
        other.goto(f"/orders/{draft_order.id}")
    streams_asked = stream_requests(other)

    user_page.goto("/account")
    fill_password_form(user_page, SEEDED_PASSWORD, NEW_PASSWORD)
    changed = user_page.get_by_role("status").filter(has_text="Your password is changed")
    expect(changed).to_be_visible()

    expect(other).to_have_url(re.compile(rf"/login\?next=%2Forders%2F{draft_order.id}$"))
    assert streams_asked == []
    expect(user_page.get_by_role("heading", name="Your account")).to_be_visible()


def test_a_page_that_missed_the_end_of_its_login_goes_to_the_login_page_when_it_asks_again(
    app, user_page, seeded_user
):
    """A stream asked for without a live login gets only `login-ended`: the page stops
    asking and goes to log in, instead of trying again for as long as it stays open."""
    page, user_id = user_page, seeded_user.id
    streams_asked = stream_requests(page)

    def end_the_login_first(route) -> None:
        with app.app_context():  # (Playwright calls this in a greenlet of its own)
            change_password(db.session.get(User, user_id), NEW_PASSWORD)  # every login ends
        route.continue_()

    page.route(STREAM, end_the_login_first)
    page.reload()
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    assert len(streams_asked) == 1  # the one answered `login-ended`, and never again
