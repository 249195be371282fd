"""Webhook endpoints and their deliveries: the account page's functions (app/webhooks/service.py)
again, for the token's account only."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from flask import Response, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.etags import json_response, read_response
from app.api.spec import operation
from app.problems import ApiProblem
from app.webhooks import service
from app.webhooks.events import ORDER_TYPES

EventType = StrEnum("EventType", {kind: kind for kind in ORDER_TYPES})
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class WebhookEndpointInput(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"url": "https://example.com/hooks", "event_types": ["order.done"]}]
        },
    )
    url: Url = Field(description="An https address whose every name resolves to public addresses.")
    event_types: list[EventType] = Field(min_length=1, max_length=len(ORDER_TYPES))


class WebhookEndpointChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"enabled": False}]})
    url: Url | None = None
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(ORDER_TYPES))
    enabled: bool | None = Field(None, description="false: nothing is sent until enabled again.")


class WebhookEndpoint(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="by_owner, or failing (for days).")
    disabled_error: str | None = Field(description="The last error, when disabled for failing.")
    disabled_at: datetime | None
    failing_since: datetime | None
    created_at: datetime


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="The signing secret (whsec_…): shown this once.")


class WebhookEndpointList(BaseModel):
    data: list[WebhookEndpoint]


class WebhookAttempt(BaseModel):
    id: int
    event_id: uuid.UUID
    event_type: str
    attempted_at: datetime
    outcome: str = Field(description="delivered, http_error, timeout, connection or refused.")
    status_code: int | None
    latency_ms: int | None
    response_start: str | None
    error: str | None


class WebhookAttemptList(BaseModel):
    data: list[WebhookAttempt]


class WebhookEvent(BaseModel):
    id: uuid.UUID
    type: str
    state: str = Field(description="pending, delivered or failed (every attempt failed).")
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime


def endpoint(row, secret: str | None = None) -> WebhookEndpoint:
    fields = {name: getattr(row, name) for name in WebhookEndpoint.model_fields}
    return (
        WebhookEndpointWithSecret(**fields, secret=secret) if secret else WebhookEndpoint(**fields)
    )


def event(row) -> WebhookEvent:
    return WebhookEvent(
        id=row.id,
        type=row.event_type,
        state=row.state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
    )


def refused(error: service.EndpointError) -> ApiProblem:
    if error.code == "too_many":
        return ApiProblem(409, "too_many_webhook_endpoints", error.message)
    problem = ApiProblem(422, "invalid_fields", error.message)
    problem.errors = [{"field": error.field, "detail": error.message}]
    return problem


def not_found() -> ApiProblem:
    return ApiProblem(
        404, "webhook_endpoint_not_found", _("No such webhook endpoint, or not yours.")
    )


def found(call, *args, **kwargs):
    try:
        return call(g.user_id, *args, **kwargs)
    except service.NotFound:
        raise not_found() from None
    except service.EndpointError as error:
        raise refused(error) from None


@operation("GET", "/webhook-endpoints", ok=(200, WebhookEndpointList), tag="webhooks")
def list_webhook_endpoints():
    """List your webhook endpoints"""
    rows = service.list_endpoints(g.user_id)
    return read_response(WebhookEndpointList(data=[endpoint(row) for row in rows]))


@operation(
    "POST",
    "/webhook-endpoints",
    ok=(201, WebhookEndpointWithSecret),
    tag="webhooks",
    body=WebhookEndpointInput,
    write=True,
    problems=(409,),
)
def create_webhook_endpoint():
    """Register a webhook endpoint

    The answer holds the endpoint's signing secret, shown this once."""
    body: WebhookEndpointInput = request.context.json
    row, secret = found(
        service.create_endpoint, body.url, [kind.value for kind in body.event_types]
    )
    return json_response(endpoint(row, secret), 201)


@operation(
    "GET",
    "/webhook-endpoints/<uuid:endpoint_id>",
    ok=(200, WebhookEndpoint),
    tag="webhooks",
    problems=(404,),
)
def get_webhook_endpoint(endpoint_id: uuid.UUID):
    """Read a webhook endpoint"""
    return read_response(endpoint(found(service.get_endpoint, endpoint_id)))


@operation(
    "PATCH",
    "/webhook-endpoints/<uuid:endpoint_id>",
    ok=(200, WebhookEndpoint),
    tag="webhooks",
    body=WebhookEndpointChange,
    write=True,
    problems=(404,),
)
def update_webhook_endpoint(endpoint_id: uuid.UUID):
    """Change a webhook endpoint

    Its address, its event types, or whether it is enabled (enabling it again sends the events
    waiting for it at once)."""
    body: WebhookEndpointChange = request.context.json
    kinds = None if body.event_types is None else [kind.value for kind in body.event_types]
    row = found(service.update_endpoint, endpoint_id, body.url, kinds, body.enabled)
    return json_response(endpoint(row))


@operation(
    "DELETE",
    "/webhook-endpoints/<uuid:endpoint_id>",
    ok=(204, None),
    tag="webhooks",
    write=True,
    problems=(404,),
)
def delete_webhook_endpoint(endpoint_id: uuid.UUID):
    """Delete a webhook endpoint, with its events and their log"""
    found(service.delete_endpoint, endpoint_id)
    return Response(status=204)


@operation(
    "POST",
    "/webhook-endpoints/<uuid:endpoint_id>/rotate-secret",
    ok=(200, WebhookEndpointWithSecret),
    tag="webhooks",
    write=True,
    problems=(404,),
)
def rotate_webhook_secret(endpoint_id: uuid.UUID):
    """Give a webhook endpoint a new signing secret

    The old one signs too for a day, so both signatures arrive meanwhile."""
    secret = found(service.rotate_secret, endpoint_id)
    return json_response(endpoint(found(service.get_endpoint, endpoint_id), secret))


@operation(
    "POST",
    "/webhook-endpoints/<uuid:endpoint_id>/test",
    ok=(202, WebhookEvent),
    tag="webhooks",
    write=True,
    problems=(404,),
)
def send_webhook_test(endpoint_id: uuid.UUID):
    """Send a test event to a webhook endpoint"""
    return json_response(event(found(service.fire_test, endpoint_id)), 202)


@operation(
    "GET",
    "/webhook-endpoints/<uuid:endpoint_id>/deliveries",
    ok=(200, WebhookAttemptList),
    tag="webhooks",
    problems=(404,),
)
def list_webhook_deliveries(endpoint_id: uuid.UUID):
    """List a webhook endpoint's delivery attempts, newest first

    Each attempt: when, its outcome, the status code, the latency and the start of the answer."""
    deliveries = found(service.list_deliveries, endpoint_id)
    return read_response(WebhookAttemptList(data=[attempt(d) for d in deliveries]))


def attempt(delivery) -> WebhookAttempt:
    row = delivery.attempt
    return WebhookAttempt(
        id=row.id,
        event_id=row.event_id,
        event_type=delivery.event.event_type,
        attempted_at=row.attempted_at,
        outcome=row.outcome,
        status_code=row.status_code,
        latency_ms=row.latency_ms,
        response_start=row.response_start,
        error=row.error,
    )


@operation(
    "POST",
    "/webhook-events/<uuid:event_id>/redeliver",
    ok=(202, WebhookEvent),
    tag="webhooks",
    write=True,
    problems=(404,),
)
def redeliver_webhook_event(event_id: uuid.UUID):
    """Send a webhook event again"""
    try:
        row = service.redeliver(g.user_id, event_id)
    except service.NotFound:
        detail = _("No such webhook event, or not yours.")
        raise ApiProblem(404, "webhook_event_not_found", detail) from None
    return json_response(event(row), 202)
