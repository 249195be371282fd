"""The provider's order service: what we ask, how we read the answers (docs/provider-api.md)
and how the order's pages word a failure. The HTTP side is app/provider_http.py's."""

import uuid
from collections.abc import Callable
from typing import TypeVar

import requests
from flask import current_app

from app import reasons
from app.provider_http import (
    ProviderError,
    ProviderHttp,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    provider_http,
)
from app.reasons import Reason

T = TypeVar("T")
TERMINAL_STATES = {"done": "done", "cancelled": "cancelled", "canceled": "cancelled"}
TERMINAL_STATES |= dict.fromkeys(("failed", "error", "rejected"), "failed")


def map_state(state: str) -> str | None:
    """Our status for a terminal provider state; None while the order is still processing."""
    return TERMINAL_STATES.get(state.strip().lower())


def order_reason(error: ProviderError) -> Reason | str:
    """A failed call as the order's pages say it: the provider's words for a refusal, or ours."""
    if isinstance(error, ProviderRejected):
        return error.words or Reason(reasons.REFUSED_HTTP, status=error.status)
    if error.status is not None:
        return Reason(reasons.HTTP_STATUS, status=error.status)
    cause = error.__cause__
    if isinstance(cause, requests.ConnectionError):
        return Reason(reasons.UNREACHABLE, detail=str(cause))
    if isinstance(cause, requests.Timeout):
        return Reason(reasons.TIMEOUT)
    return Reason(reasons.REQUEST_FAILED, detail=str(cause))


def unreadable(reason: Reason) -> ProviderUnavailable:
    """A 2xx answer we cannot use: the provider may have acted on the request all the same."""
    error = ProviderUnavailable(reason.english())
    error.reason = reason
    return error


def text_field(response: requests.Response, name: str) -> str:
    try:
        value = response.json().get(name)
    except (ValueError, AttributeError):
        value = None
    if not isinstance(value, str):
        raise unreadable(Reason(reasons.MISSING_FIELD, field=name))
    return value


def registered_uuid(response: requests.Response) -> uuid.UUID:
    try:
        return uuid.UUID(text_field(response, "uuid"))
    except ValueError as error:
        raise unreadable(Reason(reasons.INVALID_UUID)) from error


class OrderServiceClient:
    def __init__(self, http: ProviderHttp):
        self.http = http

    def call(self, endpoint: str, method: str, path: str, read: Callable[..., T], **kw) -> T:
        try:
            return self.http.call(endpoint, method, path, read, **kw)
        except ProviderError as error:
            error.reason = error.reason or order_reason(error)
            raise

    def register(self, payload: dict, idempotency_key: str) -> uuid.UUID:
        headers = {"Idempotency-Key": idempotency_key}
        path, read = "/api/order", registered_uuid
        return self.call("register", "POST", path, read, json=payload, headers=headers)

    def state(self, external_uuid: uuid.UUID | str) -> str:
        path, read = f"/api/order/{external_uuid}", lambda r: text_field(r, "state")
        try:
            return self.call("state", "GET", path, read)
        except ProviderNotFound as error:
            error.reason = Reason(reasons.UNKNOWN_ORDER, external_uuid=str(external_uuid))
            raise


def get_order_client() -> OrderServiceClient:
    pool_size = max(16, current_app.config["SYNC_CONCURRENCY"])
    return OrderServiceClient(provider_http("order_service", "ORDER_SERVICE", pool_size))
