"""The dashboard's refresh in the browser: an unchanged table is answered 304 and left in place
(htmx does not swap it); a change brings the new table, without a reload. The page's live
stream is refused here, so the table reloads on its timer (every 2 s), as it does whenever
the stream is down (tests/browser/test_live_polling.py has the stream's side)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.orders.drafts import create_draft
from app.orders.transitions import transition
from tests.browser.helpers import mark_page, page_not_reloaded, refuse_streams

MARK = "document.getElementById('orders-table').dataset.mark = 'before'"


@pytest.fixture
def order(seeded_user, services):
    return create_draft(seeded_user.id, [services[0].uuid])


def is_table_refresh(response, status: int) -> bool:
    request = response.request
    return (
        urlsplit(response.url).path == "/"
        and request.headers.get("hx-target") == "orders-table"
        and response.status == status
    )


def test_an_unchanged_table_stays_and_a_change_replaces_it(user_page, order, browser_errors):
    page = user_page
    refuse_streams(page, browser_errors)
    page.goto("/")
    mark_page(page)
    row = page.locator(f'tr[data-order-id="{order.id}"]')
    expect(row).to_have_attribute("data-status", "draft")
    page.evaluate(MARK)  # a swap would drop this mark

    with page.expect_response(lambda response: is_table_refresh(response, 304)) as answer:
        pass  # the table refreshes itself every 2 s here
    assert answer.value.request.headers["if-none-match"].strip('"')
    expect(page.locator("#orders-table")).to_have_attribute("data-mark", "before")
    expect(row).to_have_attribute("data-status", "draft")

    assert transition(order.id, "draft", "sending", "Sent from another tab") is not None
    db.session.commit()
    expect(row).to_have_attribute("data-status", "sending")
    expect(page.locator("#orders-table")).not_to_have_attribute("data-mark", "before")
    assert page_not_reloaded(page)
