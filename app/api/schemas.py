"""The API's request and response bodies (pydantic), from which the OpenAPI document is made."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from app.models import OrderStatus

CURRENCY = "RUB"
MAX_LIMIT = 100
Amount = Annotated[
    str,
    Field(
        pattern=r"^\d+(\.\d+)?$",
        description="An exact decimal amount (never a binary float).",
        examples=["146.40"],
    ),
]
Currency = Annotated[str, Field(description="ISO 4217 code.", examples=[CURRENCY])]
Cursor = Annotated[str, StringConstraints(max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Status = StrEnum("Status", {name: name for name in OrderStatus.LABELS})


class Problem(BaseModel):
    """RFC 9457 problem details: `code` is stable, `detail` in the language asked for."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list["FieldError"] | None = None


class FieldError(BaseModel):
    field: str
    detail: str


class Service(BaseModel):
    id: UUID
    name: str
    description: str | None
    image: str | None
    price: Amount
    tax: Amount
    gross: Amount
    currency: Currency


class ServicePage(BaseModel):
    data: list[Service]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class CatalogQuery(Strict):
    q: Annotated[str, StringConstraints(max_length=100)] = ""
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20
    cursor: Cursor | SkipJsonSchema[None] = None


class Item(BaseModel):
    service_id: UUID
    name: str
    description: str | None
    price: Amount
    tax: Amount
    gross: Amount


class Order(BaseModel):
    id: UUID
    status: Status
    revision: int = Field(description="Goes up with every edit of a draft.")
    price: Amount
    tax: Amount
    gross: Amount
    currency: Currency
    items: list[Item]
    status_reason: str | None = Field(description="Why it has its status, when that says more.")
    needs_attention: bool
    provider_order_id: UUID | None
    created_at: datetime
    updated_at: datetime


class OrderSummary(BaseModel):
    id: UUID
    status: Status
    revision: int
    price: Amount
    tax: Amount
    gross: Amount
    currency: Currency
    first_item: str | None
    item_count: int
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    data: list[OrderSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class OrderQuery(Strict):
    status: Status | SkipJsonSchema[None] = None
    q: Annotated[str, StringConstraints(max_length=100)] = Field(
        "", description="Part of a service's name, or the start of the order's id."
    )
    created_after: datetime | SkipJsonSchema[None] = None
    created_before: datetime | SkipJsonSchema[None] = None
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20
    cursor: Cursor | SkipJsonSchema[None] = None


ServiceIds = Annotated[
    list[Annotated[str, StringConstraints(max_length=64)]],
    Field(min_length=1, max_length=200, description="Catalog service ids, in order."),
]


class NewOrder(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"services": ["<service id>"], "send": False}]},
    )
    services: ServiceIds
    send: bool = Field(False, description="Send it to processing at once.")


class OrderEdit(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"services": ["<service id>"]}]}
    )
    services: ServiceIds


class Event(BaseModel):
    id: int
    from_status: Status | None
    to_status: Status
    reason: str | None
    created_at: datetime


class EventList(BaseModel):
    data: list[Event]
