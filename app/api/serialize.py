"""Orders and services as the API shows them: money as exact decimal strings in roubles."""

from decimal import Decimal

from app import reasons
from app.api import schemas
from app.catalog.client import CatalogService
from app.models import Order, OrderEvent

MONEY = ("price", "tax", "gross")


def amount(value: Decimal) -> str:
    return f"{value:f}"


def amounts(source) -> dict:
    return {name: amount(getattr(source, name)) for name in MONEY}


def service(entry: CatalogService) -> schemas.Service:
    return schemas.Service(
        id=entry.uuid,
        name=entry.name,
        description=entry.description,
        image=entry.image,
        currency=schemas.CURRENCY,
        **amounts(entry),
    )


def order(entry: Order) -> schemas.Order:
    items = [
        schemas.Item(
            service_id=item.service_uuid,
            name=item.name,
            description=item.description,
            **amounts(item),
        )
        for item in entry.items
    ]
    return schemas.Order(
        id=entry.id,
        status=entry.status,
        revision=entry.revision,
        currency=schemas.CURRENCY,
        items=items,
        status_reason=reasons.reason_filter(entry.status_reason_coded, entry.status_reason) or None,
        needs_attention=entry.needs_attention,
        provider_order_id=entry.external_uuid,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        **amounts(entry),
    )


def summary(row) -> schemas.OrderSummary:
    """From a row of SUMMARY_COLUMNS, the first service's name and the count (orders_after)."""
    order_id, status, revision, price, tax, gross, created_at, updated_at, first, count = row
    return schemas.OrderSummary(
        id=order_id,
        status=status,
        revision=revision,
        currency=schemas.CURRENCY,
        first_item=first,
        item_count=count,
        created_at=created_at,
        updated_at=updated_at,
        price=amount(price),
        tax=amount(tax),
        gross=amount(gross),
    )


def event(entry: OrderEvent) -> schemas.Event:
    return schemas.Event(
        id=entry.id,
        from_status=entry.from_status,
        to_status=entry.to_status,
        reason=reasons.reason_filter(entry.reason_coded, entry.reason) or None,
        created_at=entry.created_at,
    )
