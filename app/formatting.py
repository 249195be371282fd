"""Template filters and globals: money, dates and status badges."""

from datetime import datetime

from babel import Locale
from flask import Flask
from flask_babel import format_date, format_decimal, format_percent, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.models import OrderStatus
from app.money import format_money, format_rate
from app.urls import order_url

TIME_STYLES = ("relative", "full", "absolute")


def timestamp(value: datetime | None, style: str = "relative") -> Markup:
    """A <time> in UTC that the browser rewrites in the user's zone: "3 minutes ago", with "full"
    after the date and time, with "absolute" not at all."""
    if value is None:
        return Markup('<span class="muted">%s</span>') % _("never")
    if style not in TIME_STYLES:
        raise ValueError(f"unknown time style {style!r}")
    iso = value.isoformat()
    text = f"{format_date(value, 'short')}, {format_time(value, 'HH:mm')} UTC"
    local = "" if style == "relative" else f'="{style}"'
    return Markup(f'<time datetime="{escape(iso)}" data-local{local}>{escape(text)}</time>')


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
    for template_filter in (timestamp, status_badge, send_badge, duration, percent):
        app.add_template_filter(template_filter)
    app.add_template_global(OrderStatus, "OrderStatus")
    app.add_template_global(order_url)
