"""A phone (375 × 812) in both languages: the dashboard's first order shows without scrolling,
its counts take one compact line, every control and link a thumb uses is at least 44 px tall,
and no placeholder is cut off."""

import pytest
from playwright.sync_api import expect

from app.models import OrderStatus
from tests.browser.helpers import ENGLISH_LOGIN, RUSSIAN_LOGIN, log_in
from tests.browser.orders import order_in_status

PHONE = {"width": 375, "height": 812}
LANGUAGES = {"en": ("en-GB", ENGLISH_LOGIN), "ru": ("ru-RU", RUSSIAN_LOGIN)}
# The controls and links a thumb uses: the page's furniture, not links inside running text.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .filter(el => el.matches('.back-link') || !el.closest('p, li.timeline-note, .skip-link'))
  .filter(el => el.type !== 'checkbox' && el.type !== 'radio')
  .filter(el => el.getBoundingClientRect().height < 44)
  .map(el => `${el.tagName} "${(el.innerText || el.value || el.name || '').trim()}" `
             + `${Math.round(el.getBoundingClientRect().height)}px`)"""
CUT_PLACEHOLDERS = """() => [...document.querySelectorAll('input[placeholder]')]
  .filter(el => el.getClientRects().length)
  .filter(el => {
    const style = getComputedStyle(el);
    const text = document.createElement('span');  // the placeholder as the field draws it
    for (const name of ['fontFamily', 'fontSize', 'fontWeight', 'letterSpacing']) {
      text.style[name] = style[name];
    }
    Object.assign(text.style, {position: 'absolute', visibility: 'hidden', whiteSpace: 'pre'});
    text.textContent = el.placeholder;
    document.body.append(text);
    const width = text.getBoundingClientRect().width;
    text.remove();
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return width > room;
  }).map(el => el.placeholder)"""


@pytest.fixture
def orders(seeded_user, services):
    uuids = [s.uuid for s in services[:2]]
    statuses = (OrderStatus.DONE, OrderStatus.IN_PROCESSING, OrderStatus.DRAFT)
    return [order_in_status(seeded_user.id, uuids, status) for status in statuses]


@pytest.fixture(params=sorted(LANGUAGES))
def phone(request, open_context, seeded_user):
    browser_locale, labels = LANGUAGES[request.param]
    page = open_context(locale=browser_locale, viewport=PHONE).new_page()
    log_in(page, labels=labels)
    return page


def test_the_first_order_shows_without_scrolling(phone, orders):
    first = phone.locator(".orders-table tbody tr").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    stats = phone.locator(".stats")
    assert stats.bounding_box()["height"] <= 48, "the counts take more than one compact line"


def test_every_target_is_big_enough_and_no_placeholder_is_cut(phone, orders):
    paths = ["/", f"/orders/{orders[0].id}", f"/orders/{orders[2].id}", "/orders/new"]
    for path in [*paths, f"/orders/{orders[2].id}/edit", "/catalog", "/account"]:
        phone.goto(path)
        phone.wait_for_load_state()
        assert phone.evaluate(SMALL_TARGETS) == [], path
        assert phone.evaluate(CUT_PLACEHOLDERS) == [], path


@pytest.mark.parametrize("screen", [{"width": 1280, "height": 800}, PHONE])
def test_the_totals_read_on_one_line_and_their_buttons_line_up(open_context, seeded_user, screen):
    """In Russian, without JavaScript: "Итого с налогом" on one line, Пересчитать as wide as
    the other buttons."""
    page = open_context(locale="ru-RU", java_script_enabled=False, viewport=screen).new_page()
    log_in(page, labels=RUSSIAN_LOGIN)
    page.goto("/orders/new")
    label = page.locator(".totals dt.gross")
    assert label.evaluate("e => e.getClientRects().length") == 1
    height = label.bounding_box()["height"]
    assert height < 2 * float(label.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    widths = {
        round(box["width"])
        for box in (b.bounding_box() for b in page.locator(".totals-actions .button").all())
        if box
    }
    assert len(widths) == 1, widths
