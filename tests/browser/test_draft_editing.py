"""Editing a draft: the chosen services come first, each removable; the catalog's "Order this"
adds to an open draft or starts a new order, and brings the ticked service into view."""

import re

from playwright.sync_api import expect

from app.orders.drafts import create_draft
from tests.browser.helpers import screenshot, service
from tests.support.orders import reload

FAR_DOWN = "Translation, 1,000 words — Pro"  # near the end of the 45 services


def by_name(services):
    return {s.name: s for s in services}


def chosen_group(page):
    return page.get_by_role("group", name="In this order")


def test_the_chosen_services_come_first_and_each_can_be_removed(user_page, seeded_user, services):
    named = by_name(services)
    draft = create_draft(seeded_user.id, [named["SEO audit — Basic"].uuid, named[FAR_DOWN].uuid])
    page = user_page
    page.goto(f"/orders/{draft.id}/edit")

    picks = page.locator(".pick")
    expect(picks.nth(0)).to_contain_text("SEO audit — Basic")
    expect(picks.nth(1)).to_contain_text(FAR_DOWN)
    expect(chosen_group(page).get_by_role("checkbox")).to_have_count(2)
    expect(service(page, FAR_DOWN)).to_be_in_viewport()
    screenshot(page, "edit-draft")

    chosen_group(page).get_by_role("button", name=f"Remove {FAR_DOWN}").click()

    expect(service(page, FAR_DOWN)).not_to_be_checked()
    expect(service(page, FAR_DOWN)).to_be_focused()
    expect(page.locator('#totals [data-total="count"]')).to_have_text("1")
    expect(page.locator('#totals [data-total="gross"]')).to_have_text("60.88 ₽")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "draft")
    assert [item.name for item in reload(draft.id).items] == ["SEO audit — Basic"]


def test_order_this_adds_to_an_open_draft_and_shows_the_service(user_page, seeded_user, services):
    named = by_name(services)
    draft = create_draft(seeded_user.id, [named["SEO audit — Basic"].uuid])
    page = user_page
    page.goto(f"/catalog?q={FAR_DOWN}")
    page.get_by_role("link", name=f"Order this: {FAR_DOWN}").click()

    expect(page.get_by_role("heading", name=f"Where should “{FAR_DOWN}” go?")).to_be_visible()
    page.get_by_role("link", name=re.compile(f"Add to draft #{draft.short_id}")).click()

    expect(page).to_have_url(re.compile(f"/orders/{draft.id}/edit\\?add="))
    added = service(page, FAR_DOWN)
    expect(added).to_be_checked()
    expect(added).to_be_focused()
    expect(added).to_be_in_viewport()
    expect(chosen_group(page).get_by_role("checkbox")).to_have_count(2)
    expect(page.locator('#totals [data-total="count"]')).to_have_text("2")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert [i.name for i in reload(draft.id).items] == ["SEO audit — Basic", FAR_DOWN]


def test_order_this_can_start_a_new_order_instead(user_page, seeded_user, services):
    create_draft(seeded_user.id, [by_name(services)["SEO audit — Basic"].uuid])
    page = user_page
    page.goto(f"/catalog?q={FAR_DOWN}")
    page.get_by_role("link", name=f"Order this: {FAR_DOWN}").click()
    page.get_by_role("link", name="Start a new order with it").click()

    expect(page).to_have_title("New order · Click to Mice")
    added = service(page, FAR_DOWN)
    expect(added).to_be_checked()
    expect(added).to_be_focused()
    expect(added).to_be_in_viewport()
    expect(page.locator('#totals [data-total="count"]')).to_have_text("1")
