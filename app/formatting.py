"""Template filters and globals: money, dates and status badges."""

import math
from datetime import UTC, datetime, timedelta

from babel import Locale, dates
from flask import Flask
from flask_babel import format_decimal, format_percent, get_locale, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.models import OrderStatus
from app.money import format_money, format_rate
from app.urls import order_url

TIME_STYLES = ("relative", "full", "absolute", "time")
# How far back or ahead a time is, in the largest unit under the next one's size (as app.js
# counts): "49 seconds ago", "3 minutes ago", "in 2 hours", "10 days ago", "2 months ago".
STEPS = (("second", 60), ("minute", 60), ("hour", 24), ("day", 30), ("month", 12), ("year", None))
# Babel's length of each unit, to name a whole number of them.
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000}
UNIT_SECONDS["year"] = 31536000
JUST_NOW_SECONDS = 10
NARROW_SPACE = "\u202f"


def when_text(value: datetime) -> str:
    """A date and time as every page writes it, in the reader's language and time zone, the
    year only when it is not this one: "Dec 7, 01:28", "7 дек. 2025 г., 01:28" (as app.js)."""
    local, locale = to_user_timezone(value), get_locale()
    if local.year == to_user_timezone(datetime.now(UTC)).year:
        day = dates.format_skeleton("MMMd", local, locale=locale)
    else:
        day = dates.format_date(local, "medium", locale=locale)
    written = f"{day}, {dates.format_time(local, 'HH:mm', tzinfo=local.tzinfo, locale=locale)}"
    return written.replace(NARROW_SPACE, " ")  # as browsers write "2025 г."


def round_half_up(number: float) -> int:
    """Rounded as JavaScript's Math.round does, so both sides name the same number."""
    return math.floor(number + 0.5)


def day_text(value: datetime) -> str:
    """A day as the pages head a timeline's lines with it: "Dec 7", "7 дек. 2025 г."."""
    local, locale = to_user_timezone(value), get_locale()
    if local.year == to_user_timezone(datetime.now(UTC)).year:
        return dates.format_skeleton("MMMd", local, locale=locale)
    return dates.format_date(local, "medium", locale=locale).replace(NARROW_SPACE, " ")


def by_day(events) -> list[tuple[str, list]]:
    """A timeline's events (anything with `created_at`) in runs of one day in the reader's
    zone, in the order given: [("Dec 7", [...]), ("Dec 6", [...])]."""
    days: list[tuple[str, list]] = []
    for event in events:
        day = day_text(event.created_at)
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(event)
    return days


def in_largest_unit(seconds: float) -> tuple[str, float]:
    amount = seconds
    for unit, size in STEPS:
        if size is None or abs(amount) < size:
            return unit, amount
        amount /= size
    raise AssertionError("the last step has no size")


def relative_text(value: datetime, now: datetime | None = None) -> str:
    """How long ago (or ahead) `value` is: "just now", "49 seconds ago", "in 3 minutes"."""
    amount = (value - (now or datetime.now(UTC))).total_seconds()
    if abs(amount) < JUST_NOW_SECONDS:
        return _("just now")
    unit, amount = in_largest_unit(amount)
    count = round_half_up(amount)
    length = math.copysign(abs(count) * UNIT_SECONDS[unit], amount)
    return dates.format_timedelta(
        length, threshold=abs(count), add_direction=True, locale=get_locale()
    )


def timestamp(value: datetime | None, style: str = "relative") -> Markup:
    """A <time> as the reader reads it: "3 minutes ago" (relative), "Dec 7, 01:28 (3 minutes
    ago)" (full) or "Dec 7, 01:28" (absolute); app.js keeps the relative part current, in the
    same words."""
    if value is None:
        return Markup('<span class="muted">%s</span>') % _("never")
    if style not in TIME_STYLES:
        raise ValueError(f"unknown time style {style!r}")
    when = when_text(value)
    texts = {
        "relative": lambda: relative_text(value),
        "absolute": lambda: when,
        "time": lambda: dates.format_time(
            to_user_timezone(value), "HH:mm", tzinfo=to_user_timezone(value).tzinfo
        ),
    }
    text = texts.get(style, lambda: f"{when} ({relative_text(value)})")()
    local = "" if style == "relative" else f'="{style}"'
    return Markup(
        f'<time datetime="{escape(value.isoformat())}" data-local{local} title="{escape(when)}">'
        f"{escape(text)}</time>"
    )


def age_timestamp(seconds: float | None, style: str = "relative") -> Markup:
    """A time given as its age in seconds ("48 seconds ago"), written as every time is."""
    if seconds is None:
        return timestamp(None, style)
    return timestamp(datetime.now(UTC) - timedelta(seconds=seconds), style)


# Units of a short span of time, abbreviated as the language writes them.
UNITS = {"d": _l("%(num)d d"), "h": _l("%(num)d h"), "min": _l("%(num)d min"), "s": _l("%(num)d s")}


def in_units(number: int, unit: str) -> str:
    return UNITS[unit] % {"num": number}


def duration(seconds: float | None) -> str:
    """A short span of time: `0.4 s`, `12 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`."""
    if seconds is None:
        return "—"
    if seconds < 10:
        return _("%(seconds)s s", seconds=format_decimal(round(seconds, 1), "0.0"))
    whole = round(seconds)
    steps = (("d", 86400, "h", 3600), ("h", 3600, "min", 60), ("min", 60, "s", 1))
    for unit, size, smaller, smaller_size in steps:
        if whole >= size:
            rest = (whole % size) // smaller_size
            return in_units(whole // size, unit) + (f" {in_units(rest, smaller)}" if rest else "")
    return in_units(whole, "s")


def percent(share: float | None) -> str:
    """A share as the language writes a percentage, to a tenth: `2.5%`, `2,5 %`."""
    if share is None:
        return "—"
    pattern = Locale.parse(get_locale()).percent_formats[None].pattern
    return format_percent(share, pattern.replace("#,##0", "#,##0.0", 1))


def status_badge(status: str) -> Markup:
    label = OrderStatus.LABELS.get(status, status)
    return Markup(f'<span class="badge badge-{escape(status)}">{escape(label)}</span>')


def send_badge(order) -> Markup:
    """Beside a sending order's status: flagged for a person, or maybe at the provider."""
    if order.needs_attention:
        return Markup('<span class="badge badge-attention">%s</span>') % _("Needs attention")
    if order.outcome_unknown:
        return Markup('<span class="badge badge-unconfirmed">%s</span>') % _("Not confirmed")
    return Markup("")


def init_app(app: Flask) -> None:
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_rate, "rate")
    filters = (timestamp, age_timestamp, status_badge, send_badge, duration, percent, by_day)
    for template_filter in filters:
        app.add_template_filter(template_filter)
    app.add_template_global(OrderStatus, "OrderStatus")
    app.add_template_global(order_url)
