"""Two tabs on one draft: a tab learns in place, through its live stream, that the draft was
saved, sent or deleted in the other one, and stops offering what would be refused; a stale
save gets the conflict page, where the customer keeps their version or takes the current one."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.orders.drafts import create_draft, update_draft
from tests.browser.helpers import (
    confirm_in_dialog,
    log_in,
    mark_page,
    page_not_reloaded,
    screenshot,
    service,
)
from tests.support.orders import reload
from tests.support.waiting import wait_until

SEO, LOGO, NEWSLETTER = "SEO audit — Basic", "Logo design — Basic", "Newsletter setup — Basic"
WATCH = re.compile(r"/watch\?revision=\d+$")  # asked once a draft's stream is open
TOLD_WITHIN_MS = 5_000


@pytest.fixture
def named(services) -> dict:
    return {s.name: s for s in services}


@pytest.fixture
def draft(seeded_user, named):
    return create_draft(seeded_user.id, [named[SEO].uuid, named[LOGO].uuid])


@pytest.fixture
def second_tab(user_page) -> Page:
    """Another tab of the same browser, so the same login."""
    return user_page.context.new_page()


def open_draft(app, page: Page, path: str) -> None:
    """Open a draft's page and wait until its stream listens: the watch asks the server once
    the stream is open, and the process's one subscription is confirmed."""
    with page.expect_response(WATCH):
        page.goto(path)
    wait_until(app.extensions["live_hub"].listening.is_set, seconds=10)
    mark_page(page)


def names_of(order_id) -> list[str]:
    return [item.name for item in reload(order_id).items]


def test_a_save_in_one_tab_is_told_to_the_other_and_its_stale_save_gets_the_conflict_page(
    app, user_page, second_tab, draft, browser_errors
):
    browser_errors.allow(r"status of 409")  # the conflict page's own answer
    tab_a, tab_b = user_page, second_tab
    open_draft(app, tab_a, f"/orders/{draft.id}/edit")
    open_draft(app, tab_b, f"/orders/{draft.id}/edit")
    service(tab_b, NEWSLETTER).check()  # tab B's change, not saved yet

    tab_a.get_by_role("button", name=f"Remove {LOGO}").click()
    tab_a.get_by_role("button", name="Save draft").click()
    expect(tab_a.get_by_role("status").filter(has_text="Draft updated.")).to_be_visible()

    notice = tab_b.locator('#draft-watch[data-stale="changed"]')
    expect(notice).to_contain_text("changed in another tab or window", timeout=TOLD_WITHIN_MS)
    expect(notice.get_by_role("link", name="Reload")).to_be_visible()
    expect(tab_b.get_by_role("button", name="Save draft")).to_be_disabled()
    expect(service(tab_b, NEWSLETTER)).to_be_checked()  # told in place: nothing of tab B's is lost
    assert page_not_reloaded(tab_b)
    screenshot(tab_b, "edit-draft-changed-elsewhere")

    # Saved anyway (as a page that missed the news would): refused, and the first save stays.
    tab_b.locator("form[data-order-form]").evaluate("form => form.requestSubmit()")
    heading = tab_b.get_by_role("heading", name=re.compile("changed while you were editing it"))
    expect(heading).to_be_visible()
    different = tab_b.locator(".conflict-table tbody tr.is-different td:first-child")
    expect(different).to_have_text([LOGO, NEWSLETTER])
    assert names_of(draft.id) == [SEO]
    screenshot(tab_b, "draft-conflict")

    tab_b.get_by_role("button", name="Keep my version").click()
    expect(tab_b.get_by_role("status").filter(has_text="Draft updated.")).to_be_visible()
    assert names_of(draft.id) == [SEO, LOGO, NEWSLETTER]


def test_take_the_current_draft_from_the_conflict_page(
    app, user_page, second_tab, draft, browser_errors
):
    browser_errors.allow(r"status of 409")
    tab_a, tab_b = user_page, second_tab
    open_draft(app, tab_a, f"/orders/{draft.id}/edit")
    open_draft(app, tab_b, f"/orders/{draft.id}/edit")
    tab_a.get_by_role("button", name=f"Remove {LOGO}").click()
    tab_a.get_by_role("button", name="Save draft").click()
    expect(tab_b.locator('#draft-watch[data-stale="changed"]')).to_be_visible()
    tab_b.locator("form[data-order-form]").evaluate("form => form.requestSubmit()")

    tab_b.get_by_role("link", name="Take the current draft").click()
    expect(tab_b).to_have_url(re.compile(f"/orders/{draft.id}$"))
    expect(tab_b.locator("section table tbody tr")).to_have_count(1)
    expect(tab_b.locator("section table tbody")).to_contain_text(SEO)
    expect(tab_b.get_by_role("button", name="Send")).to_be_enabled()
    assert names_of(draft.id) == [SEO]


def test_a_send_in_one_tab_is_told_to_the_others_which_no_longer_offer_send_or_save(
    app, user_page, draft, second_tab, held_sends
):
    tab_a, order_page = user_page, second_tab
    edit_page = user_page.context.new_page()
    open_draft(app, tab_a, f"/orders/{draft.id}")
    open_draft(app, order_page, f"/orders/{draft.id}")
    open_draft(app, edit_page, f"/orders/{draft.id}/edit")

    tab_a.get_by_role("button", name="Send").click()
    expect(tab_a.locator("#order-summary")).to_have_attribute("data-status", "sending")

    for page in (order_page, edit_page):
        notice = page.locator('#draft-watch[data-stale="sent"]')
        expect(notice).to_contain_text(
            "sent to processing from another tab", timeout=TOLD_WITHIN_MS
        )
        assert page_not_reloaded(page)
    expect(order_page.get_by_role("button", name="Send")).to_be_disabled()
    expect(order_page.get_by_role("button", name="Delete")).to_be_disabled()
    expect(edit_page.get_by_role("button", name="Save draft")).to_be_disabled()
    assert reload(draft.id).status == "sending"  # the send held back from the worker


def test_a_delete_in_one_tab_is_told_to_the_other(app, user_page, draft, second_tab):
    tab_a, tab_b = user_page, second_tab
    order_id = draft.id
    open_draft(app, tab_b, f"/orders/{order_id}/edit")
    tab_a.goto("/")
    tab_a.locator(f'tr[data-order-id="{order_id}"]').get_by_role("button", name="Delete").click()
    confirm_in_dialog(tab_a, "Delete draft")
    expect(tab_a.get_by_role("status").filter(has_text="Draft deleted.")).to_be_visible()

    notice = tab_b.locator('#draft-watch[data-stale="deleted"]')
    expect(notice).to_contain_text("deleted in another tab or window", timeout=TOLD_WITHIN_MS)
    expect(tab_b.get_by_role("button", name="Save draft")).to_be_disabled()
    notice.get_by_role("link", name="Back to your orders").click()
    expect(tab_b.locator(f'tr[data-order-id="{order_id}"]')).to_have_count(0)


def test_without_javascript_a_stale_save_gets_the_same_choice(
    open_context, seeded_user, draft, named, browser_errors
):
    browser_errors.allow(r"status of 409")
    page = open_context(java_script_enabled=False).new_page()
    log_in(page)
    page.goto(f"/orders/{draft.id}/edit")
    service(page, NEWSLETTER).check()
    update_draft(reload(draft.id), [named[SEO].uuid], seen_revision=1)  # saved in another tab

    page.get_by_role("button", name="Save draft").click()
    heading = page.get_by_role("heading", name=re.compile("changed while you were editing it"))
    expect(heading).to_be_visible()
    assert names_of(draft.id) == [SEO]
    page.get_by_role("button", name="Keep my version").click()
    expect(page.get_by_role("status").filter(has_text="Draft updated.")).to_be_visible()
    assert names_of(draft.id) == [SEO, LOGO, NEWSLETTER]
