"""Chromium against the stack over HTTPS: logging in keeps a Secure cookie and meets HSTS, an
order goes from draft to done, a change made through one host shows live on a page streaming
from the other, and the language switch works."""

import re

import httpx
from playwright.sync_api import BrowserContext, expect

from tests.browser.helpers import log_in, mark_page, page_not_reloaded
from tests.stack.customers import CSRF, SERVICE
from tests.stack.test_host_death import open_streams
from tests.support.waiting import wait_until


def logged_in_page(stack_context, make_customer):
    customer = make_customer()
    context = stack_context()
    page = context.new_page()
    log_in(page, customer.email, customer.password)
    return page


def test_a_browser_keeps_the_secure_login_cookie_and_meets_hsts(stack_context, make_customer):
    customer = make_customer()
    context = stack_context()
    page = context.new_page()
    answer = page.goto("/login")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    log_in(page, customer.email, customer.password)
    session = {cookie["name"]: cookie for cookie in context.cookies()}["session"]
    assert session["secure"] and session["httpOnly"]
    page.goto("/account")  # the cookie comes back over HTTPS: still logged in
    expect(page.get_by_text(customer.email).first).to_be_visible()


def test_an_order_goes_from_draft_to_done_in_the_browser(
    stack_context, make_customer, sandbox_control
):
    page = logged_in_page(stack_context, make_customer)
    page.goto("/orders/new")
    for number in (0, 1):
        page.locator('input[name="services"]').nth(number).check()
    page.get_by_role("button", name="Create draft").click()
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}$"))
    expect(page.locator("#order-summary h1 .badge")).to_have_text("Draft")
    page.get_by_role("button", name="Send").click()
    summary = page.locator("#order-summary")
    expect(summary).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.locator("#order-summary h1 .badge")).to_have_text("Done")


def host_client(context: BrowserContext, url: str) -> httpx.Client:
    """The browser's login, used straight on one web host."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
    return httpx.Client(base_url=url, headers={"Cookie": cookies}, timeout=15)


def test_a_change_through_one_host_shows_live_on_a_page_streaming_from_the_other(
    stack, stack_context, make_customer
):
    hosts = [stack.settings.host_url(host) for host in stack.settings.hosts]
    before = [open_streams(url) for url in hosts]
    page = logged_in_page(stack_context, make_customer)
    streaming = wait_until(
        lambda: [n for n, url in enumerate(hosts) if open_streams(url) > before[n]], seconds=10
    )[0]
    other = hosts[1 - streaming]
    mark_page(page)
    with host_client(page.context, other) as http:
        form = http.get("/orders/new").text
        token, services = CSRF.search(form).group(1), SERVICE.findall(form)
        made = http.post("/orders/new", data={"services": services[:1], "csrf_token": token})
        order_id = made.headers["location"].rsplit("/", 1)[-1]
        sent = http.post(f"/orders/{order_id}/send", data={"csrf_token": token})
        assert sent.status_code == 303
    row = page.locator(f'tr[data-order-id="{order_id}"]')
    expect(row).to_be_visible()
    expect(row).not_to_have_attribute("data-status", "draft")
    assert page_not_reloaded(page)


def test_the_language_switch_works_through_the_stack(stack_context, make_customer):
    page = logged_in_page(stack_context, make_customer)
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()
    page.get_by_role("form", name="Language").get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", name="Ваши заказы")).to_be_visible()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
