"""Every error page a customer can meet, in the product's style, with a way back."""

import pytest
from flask import Blueprint, abort
from playwright.sync_api import expect
from sqlalchemy.exc import OperationalError

from tests.browser.helpers import screenshot

failures = Blueprint("failures", __name__)
UNKNOWN_ORDER = "00000000-0000-4000-8000-000000000000"
DESCRIPTIONS = {
    409: "Only an order in processing can be cancelled.",
    422: "Choose at least one service.",
}
EXPECTED = {
    404: ("Not found", "There is nothing here."),
    409: ("Not possible right now", DESCRIPTIONS[409]),
    422: ("Check your input", DESCRIPTIONS[422]),
    429: ("Too many attempts", "Please wait a few minutes"),
    500: ("Something went wrong", "It has been logged."),
    503: ("Temporarily unavailable", "The database is not answering. What you just did may not"),
}


@failures.get("/_failures/<int:code>")
def fail(code: int):
    """Stands in for the ways the app fails: an abort, a bug, the database going away."""
    if code == 500:
        raise RuntimeError("a bug")
    if code == 503:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    abort(code, description=DESCRIPTIONS.get(code))


@pytest.fixture
def app(app):
    app.register_blueprint(failures)
    return app


def test_error_pages_share_the_product_style(user_page, browser_errors):
    browser_errors.allow(r"status of (404|409|422|429|500|503)")
    page = user_page
    for code, (title, message) in EXPECTED.items():
        url = f"/orders/{UNKNOWN_ORDER}" if code == 404 else f"/_failures/{code}"
        response = page.goto(url)

        assert response.status == code
        expect(page).to_have_title(f"{title} · Click to Mice")
        expect(page.locator(".error-code")).to_have_text(str(code))
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator(".error-page")).to_contain_text(message)
        way_back = page.locator(".error-page .button-primary")
        if code in (500, 503):
            expect(way_back).to_have_text("Try again")
            expect(way_back).to_have_attribute("href", url)
        else:
            expect(way_back).to_have_text("Back to your orders")
        colour = page.locator(".error-code").evaluate("element => getComputedStyle(element).color")
        assert colour == "rgb(59, 79, 216)", "the stylesheet is applied"
        screenshot(page, f"error-{code}")
