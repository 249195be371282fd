"""A page whose live stream is open makes no timed reloads: the stream brings every change, and
the table reloads once whenever the stream (re)connects. While the stream is down, the table
reloads itself every ORDERS_REFRESH_SECONDS (1 s here), as it always did."""

import time
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request

from tests.browser.helpers import STREAM, refuse_streams

APP_SETTINGS = {"ORDERS_REFRESH_SECONDS": 1}
QUIET_SECONDS = 8  # eight refresh intervals
SETTLE_SECONDS = 0.5  # a reload asked for just before the stream opened may be seen late


def is_table_reload(request: Request) -> bool:
    return urlsplit(request.url).path == "/" and request.headers.get("hx-target") == "orders-table"


def table_reloads(page: Page) -> list[float]:
    """When the page asked for its table, from now on."""
    asked: list[float] = []
    page.on("request", lambda r: asked.append(time.monotonic()) if is_table_reload(r) else None)
    return asked


def open_dashboard_with_its_stream(page: Page) -> None:
    """The dashboard, once its stream is open: opening it reloads the table (htmx:sseOpen)."""
    opened = page.expect_response(lambda r: STREAM.search(r.url) and r.status == 200)
    with opened, page.expect_request(is_table_reload):
        page.goto("/")


def reloads_while_watching(page: Page, reloads: list[float]) -> list[float]:
    """The table reloads asked for over QUIET_SECONDS from now (past a short settling time)."""
    start = time.monotonic() + SETTLE_SECONDS
    page.wait_for_timeout(QUIET_SECONDS * 1000)  # watching for requests that must not come
    return [moment for moment in reloads if moment > start]


def test_an_open_stream_stops_the_timed_reloads(user_page):
    page = user_page
    reloads = table_reloads(page)
    open_dashboard_with_its_stream(page)
    assert reloads_while_watching(page, reloads) == []


def test_a_page_without_its_stream_reloads_on_the_timer(user_page, browser_errors):
    page = user_page
    refuse_streams(page, browser_errors)
    asked: list[Request] = []
    page.on("request", lambda r: asked.append(r) if is_table_reload(r) else None)
    page.goto("/")
    for _ in range(4):
        with page.expect_request(is_table_reload, timeout=10_000):
            pass
    # When the browser sent each one (its own clock, known once answered), not when this
    # process, perhaps late on a busy machine, heard of it.
    sent = [request.timing["startTime"] / 1000 for request in asked if request.response()]
    gaps = [later - earlier for earlier, later in zip(sent, sent[1:], strict=False)]
    assert len(sent) >= 4 and all(gap > 0.5 for gap in gaps), gaps  # the timer's pace


def test_a_stream_that_comes_back_reloads_once_then_the_timer_rests(user_page, browser_errors):
    page = user_page
    refuse_streams(page, browser_errors)
    page.goto("/")
    with page.expect_request(is_table_reload, timeout=10_000):
        pass  # polling while the stream is down
    reloads = table_reloads(page)
    with page.expect_response(lambda r: STREAM.search(r.url) and r.status == 200, timeout=30_000):
        page.unroute(STREAM)  # the extension asks again after its back-off
    opened = time.monotonic()
    assert reloads_while_watching(page, reloads) == []
    assert [moment for moment in reloads if moment > opened]  # the reload on reconnecting
