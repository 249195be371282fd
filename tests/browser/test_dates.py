"""One way to write a date and a time: in the reader's language and time zone, the same text
with JavaScript (which keeps the relative part current) and without it (the zone the browser
reported earlier, remembered on the account)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models import Order, OrderEvent, OrderStatus, User
from tests.browser.helpers import TIMEZONE, log_in_in_russian
from tests.browser.orders import order_in_status

RUSSIAN = {"locale": "ru-RU"}


def three_days_old(user_id: int, services) -> Order:
    order = order_in_status(user_id, [services[0].uuid], OrderStatus.DONE)
    age = timedelta(days=3, hours=2)
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(created_at=Order.created_at - age, updated_at=Order.updated_at - age)
    )
    db.session.execute(
        update(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .values(created_at=OrderEvent.created_at - age)
    )
    db.session.commit()
    db.session.refresh(order)
    return order


def times_on(page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state()
    return page.locator("main time").all_inner_texts()


def test_a_time_reads_the_same_with_and_without_javascript(open_context, seeded_user, services):
    order = three_days_old(seeded_user.id, services)
    path = f"/orders/{order.id}"
    scripted = open_context(**RUSSIAN).new_page()
    log_in_in_russian(scripted)
    with_script = times_on(scripted, path)
    # The browser's zone reached the account with that page's requests.
    db.session.expire_all()
    assert db.session.get(User, seeded_user.id).time_zone == TIMEZONE

    plain = open_context(**RUSSIAN, java_script_enabled=False, timezone_id="UTC").new_page()
    log_in_in_russian(plain)
    without_script = times_on(plain, path)

    assert with_script == without_script
    local = order.created_at.astimezone(ZoneInfo(TIMEZONE))
    this_year = local.year == datetime.now(ZoneInfo(TIMEZONE)).year  # written without it
    day = format_skeleton("MMMd", local, locale="ru") if this_year else None
    day = day or format_date(local, "medium", locale="ru").replace("\u202f", " ")
    created = f"{day}, {local:%H:%M} (3 дня назад)"
    assert created in with_script, with_script
    expect(plain.locator("main time").first).to_have_attribute("title", created.split(" (")[0])
    # The list writes the same dates, without the relative part.
    assert created.split(" (")[0] in times_on(plain, "/")
    assert times_on(plain, "/") == times_on(scripted, "/")
