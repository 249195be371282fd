"""axe-core on every page, in both languages, on a desktop and on a phone: no violation of
serious or critical impact (axe-playwright-python runs the axe-core it bundles)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from app.models import OrderStatus
from app.orders.drafts import create_draft
from tests.browser.helpers import ENGLISH_LOGIN, RUSSIAN_LOGIN, log_in
from tests.browser.orders import order_in_status

AXE = Axe()
GRAVE = ("serious", "critical")
LANGUAGES = {"en": ("en-GB", ENGLISH_LOGIN), "ru": ("ru-RU", RUSSIAN_LOGIN)}
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


def grave_violations(page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in GRAVE
    ]


@pytest.fixture
def pages(seeded_user, services):
    """Every kind of page, with an order in each state worth seeing."""
    seeded_user.is_operator = True
    db.session.commit()
    uuids = [s.uuid for s in services[:2]]
    draft = create_draft(seeded_user.id, uuids)
    working = order_in_status(seeded_user.id, uuids, OrderStatus.IN_PROCESSING)
    done = order_in_status(seeded_user.id, uuids, OrderStatus.DONE)
    return [
        "/",
        "/?status=draft",
        "/catalog",
        "/orders/new",
        f"/orders/{draft.id}",
        f"/orders/{draft.id}/edit",
        f"/orders/{draft.id}/delete",
        f"/orders/{working.id}",
        f"/orders/{working.id}/cancel",
        f"/orders/{done.id}",
        "/account",
        "/ops/",
        f"/ops/orders/{working.id}",
        "/ops/health",
        "/ops/queues",
        "/no-such-page",
    ]


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_no_page_has_a_serious_accessibility_problem(
    open_context, browser_errors, pages, language, screen
):
    browser_errors.allow(r"status of 404")
    browser_locale, labels = LANGUAGES[language]
    page = open_context(locale=browser_locale, viewport=SCREENS[screen]).new_page()
    page.goto("/login")
    problems = {"/login": grave_violations(page)}
    log_in(page, labels=labels)
    for path in pages:
        page.goto(path)
        page.wait_for_load_state()
        problems[path] = grave_violations(page)
    page.goto(pages[4])  # the dialog, open
    page.locator("#order-summary").get_by_role("button").last.click()
    problems["dialog"] = grave_violations(page)
    assert not any(problems.values()), {path: found for path, found in problems.items() if found}
