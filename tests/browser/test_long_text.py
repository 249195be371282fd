"""Long text never widens a page, on a phone (375 px) or a desktop (1280 px), in English and
Russian: searches of 1,000 unbroken characters, the provider's names and descriptions of 255,
an order's long item names, the provider's long reasons and answers, a failed job's long
error, and a long email, on the customer's pages, the console and the error pages."""

import uuid

import pytest
from rq.registry import FailedJobRegistry

from app import reasons
from app.catalog.store import FRESH_KEY
from app.extensions import cache, db
from app.models import OrderStatus, ProviderCall
from app.orders.transitions import transition
from app.queue import get_queue
from app.reasons import Reason
from tests.browser.helpers import ENGLISH_LOGIN, RUSSIAN_LOGIN, log_in
from tests.browser.orders import order_in_status
from tests.factories import Factory
from tests.support.waiting import wait_until

APP_SETTINGS = {"ORDERS_PER_PAGE": 5, "OPS_ORDERS_PER_PAGE": 5}  # pagers with a few orders
WIDTHS = (1280, 375)
LANGUAGES = {"en": ("en-GB", ENGLISH_LOGIN), "ru": ("ru-RU", RUSSIAN_LOGIN)}

NAME = "W" * 255  # the longest name the app keeps from the provider, with no place to break
DESCRIPTION = "M" * 255
REASON = "R" * 1000  # the provider's words, kept as written
MATCHING, MATCHING_NONE = "W" * 1000, "Q" * 1000  # a search is read up to 100 characters
LOCAL, DOMAIN = "m" * 64, ".".join(["d" * 63, "d" * 63, "d" * 57, "com"])
EMAIL = f"{LOCAL}@{DOMAIN}"  # 254 characters, the longest an address can be
PASSWORD = "long-text-secret"


def catalog_item(name: str, description: str) -> dict:
    money = {"price": "100.00", "tax": "22.00", "gross": "122.00"}
    return {"uuid": str(uuid.uuid4()), "name": name, "description": description, **money}


@pytest.fixture
def long_catalog(app, sandbox) -> list[dict]:
    items = [catalog_item(NAME, DESCRIPTION), catalog_item(NAME[:-1] + "V", "Short")]
    sandbox.serve_catalog_page(items)
    cache.delete(FRESH_KEY)  # the app reads the catalog again, and gets these
    return items


@pytest.fixture
def operator(app):
    """An operator with the longest email, who also orders (so the console shows it too)."""
    return Factory(db.session).user(email=EMAIL, password=PASSWORD, operator=True)


def refused(user_id: int, uuids: list[str]):
    """A draft the provider refused with a long reason, and the call that says so."""
    order = order_in_status(user_id, uuids, OrderStatus.SENDING)
    rejected = Reason(reasons.REJECTED, error=REASON)
    assert transition(order.id, OrderStatus.SENDING, OrderStatus.DRAFT, rejected)
    db.session.add(ProviderCall(order_id=order.id, kind="send", outcome="rejected", answer=REASON))
    db.session.commit()
    return order


def failed_job() -> None:
    """A job whose error is one long word; the worker runs it and it fails."""
    job = get_queue().enqueue("builtins.int", "J" * 1000)
    registry = FailedJobRegistry(queue=get_queue())
    failed = lambda: job.id in registry.get_job_ids() and job.latest_result()  # noqa: E731
    wait_until(failed, explain=lambda: job.get_status())


@pytest.fixture
def long_texts(long_catalog, operator, worker) -> dict[str, str]:
    """Each page to check, with a text it must show (so that a page that lost the long text
    cannot pass by being short)."""
    uuids = [item["uuid"] for item in long_catalog]
    drafts = [order_in_status(operator.id, uuids, OrderStatus.DRAFT) for _ in range(6)]
    order = refused(operator.id, uuids)
    failed_job()
    return {
        f"/?q={MATCHING}": NAME,
        f"/?q={MATCHING_NONE}": MATCHING_NONE[:100],
        f"/?status=failed&q={MATCHING_NONE}": MATCHING_NONE[:100],
        f"/catalog?q={MATCHING}": DESCRIPTION,
        f"/catalog?q={MATCHING_NONE}": MATCHING_NONE[:100],
        "/catalog": NAME,
        "/orders/new": DESCRIPTION,
        f"/orders/{drafts[0].id}/edit": NAME,
        f"/orders/add?service={uuids[0]}": NAME,
        f"/orders/{order.id}": REASON,
        "/account": EMAIL,
        f"/ops/?customer={LOCAL * 16}": LOCAL * 3,
        f"/ops/?customer={LOCAL}": EMAIL,
        f"/ops/orders/{order.id}": REASON,
        "/ops/queues": "J" * 190,  # in the error (the description holds fewer)
        f"/no/such/page/{NAME}": "404",
        f"/?q={MATCHING * 5}": "414",
    }


def too_wide(page, path: str) -> list[str]:
    """The widths at which `path` is wider than the window."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"{path[:60]} at {width} px: {scroll_width} px")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_text_never_widens_a_page(open_context, long_texts, browser_errors, language):
    browser_errors.allow(r"status of (404|414)")
    locale, labels = LANGUAGES[language]
    page = open_context(locale=locale).new_page()
    log_in(page, EMAIL, PASSWORD, labels)
    assert page.locator("html").get_attribute("lang") == language
    overflowing = []
    for path, shown in long_texts.items():
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        page.goto(path)
        assert shown in page.content(), f"{path[:60]} does not show {shown[:20]}…"
        overflowing += too_wide(page, path)
    assert not overflowing, "pages wider than the window:\n" + "\n".join(overflowing)
