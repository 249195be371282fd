"""HTTP client for the provider's order service: register an order, and read its state.

The wire format, and how we read what the provider leaves open, is in docs/provider-api.md.
"""

import functools
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from app import metrics
from app.metrics.recent import RecentCalls
from app.orders import reasons
from app.orders.reasons import Reason

TERMINAL_STATES = {
    "done": "done",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "failed": "failed",
    "error": "failed",
    "rejected": "failed",
}


class ProviderError(Exception):
    """The order service did not give a usable answer.

    `reason`: what went wrong, as a `Reason` the pages show in their reader's language, or
    as the provider's own words; the exception's text is its English wording.
    """

    kind = "bad_answer"  # the label of the provider errors metric

    def __init__(self, reason: Reason | str):
        super().__init__(reasons.english(reason))
        self.reason = reason


class ProviderRejected(ProviderError):
    """A 4xx answer: the order service refused the request; retrying will not help.

    `key_conflict`: the refusal is about the Idempotency-Key (used before with other
    parameters), so the provider may hold an order under it: never a plain rejection.
    """

    def __init__(self, reason: Reason | str, key_conflict: bool = False):
        super().__init__(reason)
        self.key_conflict = key_conflict

    kind = "rejected"


class OrderNotFound(ProviderError):
    """The order service does not know this external uuid (404)."""

    kind = "not_found"


class ProviderUnavailable(ProviderError):
    """Timeout, connection error, 429, 5xx or garbage: worth retrying later.

    `outcome_unknown`: the request went out and the provider may have acted on it (a read
    timeout, a dropped connection, a 5xx, a 2xx we cannot read). Otherwise it surely did not:
    the connection was never made, or a 429 said so.
    """

    def __init__(
        self,
        reason: Reason | str,
        retry_after: float | None = None,
        unreachable: bool = False,
        status: int | None = None,
        outcome_unknown: bool = True,
    ):
        super().__init__(reason)
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.status = status
        self.outcome_unknown = outcome_unknown

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.retry_after is not None

    @property
    def kind(self) -> str:
        if self.rate_limited:
            return "rate_limited"
        if self.status is not None and self.status >= 500:
            return "server_error"
        if self.unreachable:
            return "connection"
        if self.status == 408 or isinstance(self.__cause__, requests.Timeout):
            return "timeout"
        return "bad_answer"


def map_state(state: str) -> str | None:
    """Our status for a terminal provider state; None while the order is still processing."""
    return TERMINAL_STATES.get(state.strip().lower())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def request_went_out(error: requests.ConnectionError) -> bool:
    """False when no connection was made (refused, unknown host, connect timeout): then the
    provider cannot have seen the request. A reset or a close after connecting may come after
    the provider read it."""
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return not isinstance(reason, ConnectTimeoutError)  # NewConnectionError is one too


def is_key_conflict(response: requests.Response) -> bool:
    """A refusal that names the Idempotency-Key rather than the order."""
    return "idempotency" in response.text[:2000].lower()


def rejection_message(response: requests.Response) -> Reason | str:
    """A readable reason from a 4xx answer ({"message": ..., "errors": {field: [msg]}}), short
    and without NUL characters, which the database refuses to store; the provider's words are
    kept as they are, and without any a reason of our own is given."""
    reason = provider_reason(response)
    if isinstance(reason, Reason):
        return reason
    return reason[:500].replace("\x00", "")


def provider_reason(response: requests.Response) -> Reason | str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            messages = [
                str(m)
                for msgs in errors.values()
                for m in (msgs if isinstance(msgs, list) else [msgs])
            ]
            return "; ".join(messages)
        if isinstance(body.get("message"), str):
            return body["message"]
    return Reason(reasons.REFUSED_HTTP, status=response.status_code)


def settle_environment(session: requests.Session, base_url: str) -> None:
    """Read proxy and CA settings from the environment once, not on every request.

    requests consults the environment per request when `trust_env` is on; at hundreds of
    status requests a second that lookup is a fifth of the client's CPU.
    """
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


def measured(endpoint: str):
    """Time each call of a client method for the metrics and the recent-calls window."""

    def decorate(method):
        @functools.wraps(method)
        def timed(self: "OrderServiceClient", *args, **kwargs):
            started, ok = time.perf_counter(), False
            try:
                with metrics.provider_call("order_service", endpoint):
                    result = method(self, *args, **kwargs)
                ok = True
                return result
            finally:
                self.recent.record(ok, time.perf_counter() - started)

        return timed

    return decorate


@dataclass
class OrderServiceClient:
    base_url: str
    token: str
    timeout: tuple[float, float]
    pool_size: int = 16
    recent: RecentCalls = field(default_factory=RecentCalls)

    def __post_init__(self):
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        )
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        settle_environment(self.session, self.base_url)

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = self.base_url.rstrip("/") + path
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.ConnectionError as error:
            raise ProviderUnavailable(
                Reason(reasons.UNREACHABLE, detail=str(error)),
                unreachable=True,
                outcome_unknown=request_went_out(error),
            ) from error
        except requests.Timeout as error:
            raise ProviderUnavailable(Reason(reasons.TIMEOUT)) from error
        except requests.RequestException as error:
            raise ProviderUnavailable(Reason(reasons.REQUEST_FAILED, detail=str(error))) from error

    @staticmethod
    def _raise_for_retryable(response: requests.Response) -> None:
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise ProviderUnavailable(
                Reason(reasons.HTTP_STATUS, status=response.status_code),
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                status=response.status_code,
                outcome_unknown=response.status_code != 429,
            )

    @staticmethod
    def _json_field(response: requests.Response, field: str) -> str:
        try:
            value = response.json().get(field)
        except (ValueError, AttributeError):
            value = None
        if not isinstance(value, str):
            raise ProviderUnavailable(Reason(reasons.MISSING_FIELD, field=field))
        return value

    @measured("register")
    def register(self, payload: dict, idempotency_key: str) -> uuid.UUID:
        """Register an order; returns the provider's uuid for it."""
        response = self._request(
            "POST", "/api/order", json=payload, headers={"Idempotency-Key": idempotency_key}
        )
        self._raise_for_retryable(response)
        if not response.ok:
            raise ProviderRejected(rejection_message(response), is_key_conflict(response))
        try:
            return uuid.UUID(self._json_field(response, "uuid"))
        except ValueError as error:
            raise ProviderUnavailable(Reason(reasons.INVALID_UUID)) from error

    @measured("state")
    def state(self, external_uuid: uuid.UUID | str) -> str:
        """The provider's state string for one order."""
        response = self._request("GET", f"/api/order/{external_uuid}")
        if response.status_code == 404:
            raise OrderNotFound(Reason(reasons.UNKNOWN_ORDER, external_uuid=str(external_uuid)))
        self._raise_for_retryable(response)
        if not response.ok:
            raise ProviderUnavailable(Reason(reasons.HTTP_STATUS, status=response.status_code))
        return self._json_field(response, "state")


def get_order_client() -> OrderServiceClient:
    """The app's order-service client: one pooled session, created on first use."""
    client = current_app.extensions.get("order_client")
    if client is None:
        config = current_app.config
        client = OrderServiceClient(
            base_url=config["ORDER_SERVICE_BASE_URL"],
            token=config["ORDER_SERVICE_API_TOKEN"],
            timeout=(config["HTTP_CONNECT_TIMEOUT"], config["HTTP_READ_TIMEOUT"]),
            pool_size=max(16, config["SYNC_CONCURRENCY"]),
        )
        current_app.extensions["order_client"] = client
    return client
