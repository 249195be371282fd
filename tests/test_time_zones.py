"""Every page writes a date and a time one way, in the reader's language and time zone: the
zone their browser reports in a cookie, else the one their account remembers, else UTC. The
relative part ("3 minutes ago") counts as app.js does, so both write the same words."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import g
from flask_babel import force_locale, refresh

from app.extensions import db
from app.formatting import age_timestamp, by_day, relative_text, timestamp, when_text
from app.models import OrderEvent, User
from app.time_zones import known
from tests.support.auth import EMAIL, PASSWORD

MOMENT = datetime(2026, 12, 6, 22, 28, tzinfo=UTC)


def time_zone_of(user) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user.id).time_zone


@pytest.mark.parametrize(
    ("seconds", "russian", "english"),
    [
        (-5, "только что", "just now"),
        (-49, "49 секунд назад", "49 seconds ago"),
        (-150, "2 минуты назад", "2 minutes ago"),  # halves round up, as Math.round: -2.5 → -2
        (150, "через 3 минуты", "in 3 minutes"),
        (-5 * 3600, "5 часов назад", "5 hours ago"),
        (-10 * 86400, "10 дней назад", "10 days ago"),
        (-40 * 86400, "1 месяц назад", "1 month ago"),
        (2 * 3600, "через 2 часа", "in 2 hours"),
    ],
)
def test_how_long_ago_reads_naturally(app, seconds, russian, english):
    value = MOMENT + timedelta(seconds=seconds)
    for language, expected in (("ru", russian), ("en", english)):
        with app.test_request_context(), force_locale(language):
            assert relative_text(value, now=MOMENT) == expected


def test_a_date_and_time_in_each_language_with_the_year_when_it_is_not_this_one(app):
    this_year = datetime.now(UTC).replace(month=6, day=15, hour=9, minute=5)
    with app.test_request_context(), force_locale("ru"):
        assert when_text(MOMENT.replace(year=2024)) == "6 дек. 2024 г., 22:28"
        assert when_text(this_year) == "15 июн., 09:05"
    with app.test_request_context(), force_locale("en"):
        assert when_text(MOMENT.replace(year=2024)) == "Dec 6, 2024, 22:28"
        assert when_text(this_year) == "Jun 15, 09:05"


def test_the_browsers_zone_comes_first(app):
    headers = {"Accept-Language": "ru", "Cookie": "tz=Europe/Moscow"}
    moment = MOMENT.replace(year=2024)
    with app.test_request_context(headers=headers):
        assert when_text(moment) == "7 дек. 2024 г., 01:28"
        html = str(timestamp(moment, "absolute"))
    assert 'title="7 дек. 2024 г., 01:28"' in html and ">7 дек. 2024 г., 01:28</time>" in html


@pytest.mark.parametrize(
    "cookie", ["Mars/Olympus", "../../etc/passwd", "Europe%2FMoscow", "x" * 80]
)
def test_an_unknown_zone_is_ignored(client, logged_in, cookie):
    client.set_cookie("tz", cookie)
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-time-zone="UTC"' in response.get_data(as_text=True)
    assert time_zone_of(logged_in) is None
    assert not known(cookie)


def test_the_account_remembers_the_browsers_zone_for_pages_without_it(app, client, logged_in):
    client.set_cookie("tz", "Asia/Tokyo")
    assert 'data-time-zone="Asia/Tokyo"' in client.get("/").get_data(as_text=True)
    assert time_zone_of(logged_in) == "Asia/Tokyo"

    other_device = app.test_client()  # no cookie from a script: the account's zone
    other_device.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert other_device.get("/").status_code == 200
    assert 'data-time-zone="Asia/Tokyo"' in other_device.get("/").get_data(as_text=True)

    client.set_cookie("tz", "America/New_York")  # the browser moved
    client.get("/")
    assert time_zone_of(logged_in) == "America/New_York"


def test_a_visitor_without_a_zone_reads_utc(client):
    assert 'data-time-zone="UTC"' in client.get("/login").get_data(as_text=True)


def test_a_timeline_is_grouped_by_the_readers_day(app):
    late, early = MOMENT.replace(year=2024, hour=21, minute=30), MOMENT.replace(year=2024, hour=8)
    events = [SimpleNamespace(created_at=when) for when in (late, early)]
    with app.test_request_context(), force_locale("en"):
        assert [(day, len(run)) for day, run in by_day(events)] == [("Dec 6, 2024", 2)]
    with app.test_request_context(headers={"Cookie": "tz=Europe/Moscow"}), force_locale("en"):
        g.pop("time_zone", None)  # the zone kept from the request before, in the same app context
        refresh()
        days = by_day(events)  # 00:30 on the 7th in Moscow: a day of its own
        assert [(day, len(run)) for day, run in days] == [("Dec 7, 2024", 1), ("Dec 6, 2024", 1)]
        assert ">00:30</time>" in str(timestamp(late, "time"))


def test_an_orders_timeline_gives_each_line_its_time_under_its_day(client, draft):
    db.session.execute(
        db.update(OrderEvent)
        .where(OrderEvent.order_id == draft.id)
        .values(created_at=OrderEvent.created_at - timedelta(days=400))
    )
    db.session.commit()
    client.post(f"/orders/{draft.id}/send")
    html = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    timeline = html.split('class="timeline"', 1)[1].split("</section>", 1)[0]
    assert timeline.count('class="timeline-day"') == 2
    assert re.findall(r'data-local="time"[^>]*>(\d\d:\d\d)</time>', timeline)
    assert 'data-local="full"' not in timeline


def test_an_age_reads_as_every_other_relative_time(app):
    """The console's ages ("last run", "oldest job") and its tables' times in one form."""
    with app.test_request_context(), force_locale("ru"):
        html = str(age_timestamp(48))
    assert ">48 секунд назад</time>" in html and "48 с назад" not in html
