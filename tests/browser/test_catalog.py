"""Browsing and searching the catalog: htmx swaps only the results and pushes the URL."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import mark_page, page_not_reloaded, screenshot


def card(page, name):
    return page.locator(".service-card").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def test_browsing_the_catalog(user_page):
    page = user_page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()

    expect(page).to_have_title("Catalog · Click to Mice")
    expect(page.locator(".service-card")).to_have_count(45)
    logo = card(page, "Logo design — Basic")
    expect(logo.locator(".service-money")).to_have_text(
        re.compile(r"Price\s*120.00\s₽\s*Tax\s*26.40\s₽\s*Gross\s*146.40\s₽")
    )
    expect(logo.get_by_role("img")).to_have_attribute("alt", "Logo design — Basic")
    screenshot(page, "catalog")

    logo.get_by_role("link", name="Order this").click()
    expect(page).to_have_title("New order · Click to Mice")
    expect(page.get_by_role("checkbox", name=re.compile("^Logo design — Basic"))).to_be_checked()
    expect(page.locator('[data-total="gross"]')).to_have_text("146.40 ₽")


def test_searching_swaps_the_results_and_pushes_the_url(user_page):
    page = user_page
    page.goto("/catalog")
    mark_page(page)
    search = page.get_by_label("Search services")

    search.press_sequentially("logo")
    expect(page.locator(".service-card")).to_have_count(3)
    expect(page.locator(".results-summary")).to_contain_text("3 of 45 services match “logo”.")
    expect(page).to_have_url(re.compile(r"/catalog\?q=logo$"))

    search.fill("no such service")
    expect(page.get_by_text("No services match “no such service”.")).to_be_visible()
    expect(page.locator(".service-card")).to_have_count(0)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/catalog\?q=logo$"))
    expect(page.locator(".service-card")).to_have_count(3)
    assert page_not_reloaded(page)


def test_searching_without_htmx_is_a_plain_get_form(user_page):
    page = user_page
    page.goto("/catalog")
    page.evaluate("document.querySelector('#catalog-q').removeAttribute('hx-get')")
    page.get_by_label("Search services").fill("seo")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/catalog\?q=seo$"))
    expect(page.locator(".service-card")).to_have_count(3)
