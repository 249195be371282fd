"""Small helpers for the browser tests: logging in, keyboard moves, markers, screenshots."""

import contextlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.support.waiting import wait_until

SEEDED_EMAIL, SEEDED_PASSWORD = "test@gmail.com", "qwe123"
TIMEZONE = "Europe/Moscow"  # the browser's; the server keeps UTC
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def service(page: Page, name: str) -> Locator:
    """The order form's checkbox for the catalog service named `name`."""
    return page.get_by_role("checkbox", name=re.compile(f"^{re.escape(name)} "))


# The login form's email field, password field and button, as each language labels them.
ENGLISH_LOGIN = ("Email", "Password", "Log in")
RUSSIAN_LOGIN = ("Эл. почта", "Пароль", "Войти")


def log_in(
    page: Page,
    email: str = SEEDED_EMAIL,
    password: str = SEEDED_PASSWORD,
    labels: tuple[str, str, str] = ENGLISH_LOGIN,
) -> None:
    """Log in through the form, and wait for the dashboard to load (its scripts included)."""
    email_label, password_label, button = labels
    page.goto("/login")
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/$"))
    page.wait_for_load_state()


def log_in_in_russian(page: Page) -> None:
    """Log in through the Russian login page (a browser whose language is Russian)."""
    log_in(page, labels=RUSSIAN_LOGIN)


STREAM = re.compile(r"/orders/events$")  # a live page's event stream


def live_refresh(page: Page, region: str):
    """Around what sends the page a change (or opens its stream): until the page's live region
    (the table at "/", an order's summary at its path) has been reloaded and answered. A change
    that arrives while a reload is on its way is shown by one more reload after it, so a test
    waits for this before it makes the next change, to know which reload it is looking at."""

    def is_reload(response) -> bool:
        request = response.request
        return (
            request.method == "GET"
            and urlsplit(response.url).path == region
            and request.headers.get("hx-request") == "true"
        )

    return page.expect_response(is_reload, timeout=30_000)


@contextlib.contextmanager
def until_listening(app: Flask, page: Page, region: str | None):
    """Around what loads a live page: then wait until the page listens, its event stream
    answered, the app's one subscription to the changes confirmed, and its live region's
    reload on the stream's opening answered (if it has one: a draft's summary does not). A
    change published before that could pass the page by."""
    with contextlib.ExitStack() as reloaded:
        if region is not None:
            reloaded.enter_context(live_refresh(page, region))
        with page.expect_response(lambda r: bool(STREAM.search(r.url)) and r.status == 200):
            yield
        wait_until(app.extensions["live_hub"].listening.is_set, seconds=30)


def open_listening(app: Flask, page: Page, path: str, live_region: bool = True) -> None:
    """Open a live page (its live region at `path`, if it has one) and wait until it listens
    (see until_listening)."""
    with until_listening(app, page, path if live_region else None):
        page.goto(path)


def stream_requests(page: Page) -> list[str]:
    """The page's requests for its event stream from now on, kept as they are made."""
    asked: list[str] = []

    def note(request) -> None:
        if STREAM.search(request.url):
            asked.append(request.url)

    page.on("request", note)
    return asked


def refuse_streams(page: Page, browser_errors) -> None:
    """Every stream request of `page` is answered 204, as the server answers a tab over the
    cap (htmx logs each refusal as the stream's error); its live regions reload on their
    timers instead."""
    browser_errors.allow(r"console error: \[object Event\]")
    page.route(STREAM, lambda route: route.fulfill(status=204))


def mark_page(page: Page) -> None:
    """Leave a marker on `window` that a reload or a navigation would wipe."""
    page.evaluate("window.__stillHere = true")


def page_not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__stillHere === true")


SCREENSHOTS = ARTIFACTS / "screenshots"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact (test-artifacts/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret would leave a style attribute on the focused field,
    # which htmx may copy in a later swap, against the Content-Security-Policy.
    page.screenshot(path=path, full_page=True, animations="disabled", caret="initial")
    return path


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator: Locator, most: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(most):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def confirm_dialog(page: Page) -> Locator:
    """The page's dialog that asks before an action that cannot be undone, once open."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def confirm_in_dialog(page: Page, yes: str) -> None:
    """Answer the page's dialog with its `yes` button."""
    confirm_dialog(page).get_by_role("button", name=yes).click()
