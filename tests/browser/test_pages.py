"""The main pages as a customer sees them: screenshots (test-artifacts/screenshots, and docs/
for the README when UPDATE_SCREENSHOTS=1), colour contrast, time zone, narrow screens."""

import os
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models import Order, OrderStatus
from tests.browser.helpers import ROOT, TIMEZONE, log_in, log_in_in_russian, screenshot, service
from tests.browser.orders import order_in_status

AGES_AND_STATUSES = [  # oldest first: (minutes ago, status, services)
    (3 * 24 * 60, OrderStatus.DONE, ["Logo design — Pro", "Brand style guide — Standard"]),
    (26 * 60, OrderStatus.CANCELLED, ["Ad campaign launch — Basic"]),
    (5 * 60, OrderStatus.FAILED, ["Security check — Standard"]),
    (42, OrderStatus.IN_PROCESSING, ["SEO audit — Standard", "Site speed tune-up — Basic"]),
    (3, OrderStatus.SENDING, ["Newsletter setup — Basic"]),
    (0, OrderStatus.DRAFT, ["Customer survey — Basic", "Translation, 1,000 words — Basic"]),
]


@pytest.fixture
def history(seeded_user, services):
    """Orders in every status, made over the last few days."""
    by_name = {s.name: s.uuid for s in services}
    orders = [
        order_in_status(seeded_user.id, [by_name[n] for n in names], status)
        for _, status, names in AGES_AND_STATUSES
    ]
    for order, (minutes, _, _) in zip(orders, AGES_AND_STATUSES, strict=True):
        backdate(order, timedelta(minutes=minutes))
    db.session.commit()
    for order in orders:
        db.session.refresh(order)
    return orders


def backdate(order: Order, age: timedelta) -> None:
    """Move an order and its timeline into the past, a minute or so between steps."""
    created = order.created_at - age
    steps = [created + timedelta(minutes=2 * i) for i in range(len(order.events))]
    for event, when in zip(order.events, steps, strict=True):
        event.created_at = when
    checked = steps[-1] if order.status in (OrderStatus.IN_PROCESSING, OrderStatus.DONE) else None
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(created_at=created, updated_at=steps[-1], last_checked_at=checked)
    )


def document(page, name: str, full_page: bool = False) -> None:
    """The README's screenshot of this viewport (or the whole page), written only when asked."""
    screenshot(page, name)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=ROOT / "docs" / f"{name}.png", animations="disabled", caret="initial")


def test_main_pages(user_page, history):
    page = user_page
    page.goto("/")
    expect(page.locator("tr[data-order-id]")).to_have_count(len(history))
    expect(page.locator(".order-what").first).to_have_text("Customer survey — Basic + 1 more")
    document(page, "dashboard")
    page.goto("/catalog")
    document(page, "catalog")
    new_order_and_order_page(page, history, "234.36 ₽", prefix="")
    page.goto("/account")
    document(page, "account")


def test_main_pages_in_russian(open_context, seeded_user, history):
    """The README's Russian screenshots: a browser whose language is Russian."""
    page = open_context(locale="ru-RU").new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    document(page, "ru-login")
    log_in_in_russian(page)
    expect(page.locator(".order-what").first).to_have_text("Customer survey — Basic и ещё 1")
    table = page.locator(".orders-table .table-wrap")
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table scrolls sideways"
    document(page, "ru-dashboard")
    new_order_and_order_page(page, history, "234,36 ₽", prefix="ru-")


def new_order_and_order_page(page, history, gross: str, prefix: str) -> None:
    """Three services ticked on the new-order page (its totals as `gross`), then the oldest
    order's page; a screenshot of each, named with `prefix`."""
    page.goto("/orders/new")
    for name in ("SEO audit — Basic", "Logo design — Basic", "Customer survey — Basic"):
        service(page, name).check()
    expect(page.locator('#totals [data-total="gross"]')).to_have_text(gross)
    page.evaluate("window.scrollTo(0, 0)")
    document(page, f"{prefix}new-order")
    page.goto(f"/orders/{history[0].id}")
    expect(page.locator(".timeline li")).to_have_count(4)
    document(page, f"{prefix}order")


def test_phone_view(user_page, history):
    """The new-order page on a phone: the totals and the action stay at the bottom."""
    page = user_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/orders/new")
    for name in ("Logo design — Basic", "SEO audit — Standard"):
        service(page, name).check()
    expect(page.locator('#totals [data-total="gross"]')).to_have_text("298.60 ₽")
    page.evaluate("window.scrollTo(0, 700)")
    document(page, "phone")


def relative_luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    fg, bg = (tuple(int(v) for v in re.findall(r"\d+", c)[:3]) for c in (foreground, background))
    light, dark = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


COLOURS = """elements => elements.map(element => {
  let box = element, background = 'rgba(0, 0, 0, 0)';
  while (box && /rgba\\(.*, 0\\)$|transparent/.test(background)) {
    background = getComputedStyle(box).backgroundColor; box = box.parentElement;
  }
  return [element.textContent.trim(), getComputedStyle(element).color, background];
})"""


def test_text_contrast_meets_wcag_aa(user_page, history):
    page = user_page
    page.goto("/")
    selectors = (
        ".badge, .muted, th, .button, .filters a, .mainnav a, .stat dt, .stat-note, .order-number"
    )
    # One script finds and measures the elements, so a table refresh cannot detach them between.
    checked = page.evaluate(
        f"selectors => ({COLOURS})([...document.querySelectorAll(selectors)])", selectors
    )
    assert len(checked) > 20
    for text, colour, background in checked:
        assert contrast(colour, background) >= 4.5, (text, colour, background)


def test_dates_are_in_the_readers_time_zone(user_page, history):
    order = history[0]
    page = user_page
    page.goto(f"/orders/{order.id}")
    local = order.created_at.astimezone(ZoneInfo(TIMEZONE))
    created = page.locator(".facts time").first
    expect(created).to_contain_text(local.strftime("%H:%M"))
    expect(created).to_contain_text("(3 days ago)")


def test_pages_fit_a_narrow_screen(user_page, history):
    page = user_page
    page.set_viewport_size({"width": 375, "height": 740})
    pages = {"dashboard": "/", "catalog": "/catalog", "new-order": "/orders/new"}
    for name, path in {**pages, "order": f"/orders/{history[0].id}"}.items():
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways ({width}px)"
        screenshot(page, f"narrow-{name}")


UNLABELLED = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.textContent.trim())
  .map(el => el.outerHTML)"""


def test_every_control_is_labelled_and_every_page_has_a_favicon(page, seeded_user, services):
    page.goto("/login")
    assert page.evaluate(UNLABELLED) == []
    log_in(page)
    order = order_in_status(seeded_user.id, [services[0].uuid], OrderStatus.IN_PROCESSING)
    for path in ("/", "/catalog", "/orders/new", f"/orders/{order.id}"):
        page.goto(path)
        assert page.evaluate(UNLABELLED) == [], path
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        response = page.request.get(icon)
        assert response.ok and response.headers["content-type"].startswith("image/svg+xml")


def test_phone_dashboards_in_both_languages(user_page, open_context, history):
    """The README's phone screenshots of the dashboard: the first order above the fold."""
    russian = open_context(locale="ru-RU").new_page()
    russian.goto("/login")
    log_in_in_russian(russian)
    for page, name in ((user_page, "phone-dashboard"), (russian, "ru-phone-dashboard")):
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto("/")
        first = page.locator("tr[data-order-id]").first
        expect(first).to_be_in_viewport()
        document(page, name)
