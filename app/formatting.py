"""Template filters and globals: money, dates and status badges."""

from datetime import datetime

from flask import Flask
from markupsafe import Markup, escape

from app.models import OrderStatus
from app.money import format_money, format_rate
from app.urls import order_url

TIME_STYLES = ("relative", "full", "absolute")


def timestamp(value: datetime | None, style: str = "relative") -> Markup:
    """A <time> element in UTC; the browser rewrites it in the user's zone, as a relative form
    ("3 minutes ago"), with style="full" as the date and time followed by the relative form,
    with style="absolute" as the date and time only."""
    if value is None:
        return Markup('<span class="muted">never</span>')
    if style not in TIME_STYLES:
        raise ValueError(f"unknown time style {style!r}")
    iso = value.isoformat()
    text = value.strftime("%Y-%m-%d %H:%M UTC")
    local = "" if style == "relative" else f'="{style}"'
    return Markup(f'<time datetime="{escape(iso)}" data-local{local}>{escape(text)}</time>')


def status_badge(status: str) -> Markup:
    label = OrderStatus.LABELS.get(status, status)
    return Markup(f'<span class="badge badge-{escape(status)}">{escape(label)}</span>')


def send_badge(order) -> Markup:
    """Beside a sending order's status: "Needs attention" once flagged for a person, "Not
    confirmed" while the provider may have it without our knowing; nothing otherwise."""
    if order.needs_attention:
        return Markup('<span class="badge badge-attention">Needs attention</span>')
    if order.outcome_unknown:
        return Markup('<span class="badge badge-unconfirmed">Not confirmed</span>')
    return Markup("")


def init_app(app: Flask) -> None:
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_rate, "rate")
    app.add_template_filter(timestamp)
    app.add_template_filter(status_badge)
    app.add_template_filter(send_badge)
    app.add_template_global(OrderStatus, "OrderStatus")
    app.add_template_global(order_url)
