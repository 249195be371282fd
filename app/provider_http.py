"""One way to call the provider over HTTP, for its catalog and its order service alike: one
pooled session per service and app, every failure a `ProviderError` (whose `kind` labels the
metric), every call recorded in the metrics and in the recent calls the health page reads."""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from app import metrics
from app.extensions import get_redis
from app.metrics.recent import RecentCalls


class ProviderError(Exception):
    """A call that gave no usable answer; the text says what went wrong, in English. `reason`
    is how the order's pages say it (set by the order client, see app/reasons.py)."""

    kind = "bad_answer"

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status, self.reason = status, None


class ProviderRejected(ProviderError):
    """A 4xx: repeating it will not help. `words`: the provider's own, if any. `key_conflict`: it
    is about the Idempotency-Key (used before with other parameters), so it may hold an order."""

    kind = "rejected"

    def __init__(self, message: str, status: int, words: str | None, key_conflict: bool):
        super().__init__(message, status)
        self.words, self.key_conflict = words, key_conflict


class ProviderNotFound(ProviderRejected):
    kind = "not_found"


class ProviderUnavailable(ProviderError):
    """No usable answer, worth asking again later (no connection, a timeout, a 408, 429 or 5xx,
    an unreadable answer). `outcome_unknown`: the request went out and may have been acted on."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        retry_after: float | None = None,
        unreachable: bool = False,
        outcome_unknown: bool = True,
    ):
        super().__init__(message, status)
        self.retry_after, self.unreachable = retry_after, unreachable
        self.outcome_unknown = outcome_unknown

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.retry_after is not None

    @property
    def unanswered(self) -> bool:
        """No answer at all (refused, reset, timed out), as opposed to an answer we dislike."""
        return self.unreachable or isinstance(self.__cause__, requests.Timeout)

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


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def unavailable(error: requests.RequestException) -> ProviderUnavailable:
    """No answer. A connection never made (refused, unknown host, connect timeout) cannot have
    carried the request; a reset, a close or a read timeout may come after the provider read it."""
    if isinstance(error, requests.ConnectionError):
        cause = error.args[0] if error.args else None
        cause = getattr(cause, "reason", cause)  # urllib3's MaxRetryError wraps the cause
        went_out = not isinstance(cause, ConnectTimeoutError)  # NewConnectionError is one too
        return ProviderUnavailable(f"cannot connect: {error}", None, None, True, went_out)
    if isinstance(error, requests.Timeout):
        return ProviderUnavailable("no answer in time")
    return ProviderUnavailable(f"request failed: {error}")


def provider_words(response: requests.Response) -> str | None:
    """A refusal's own words, short and without the NULs the database refuses to store."""
    try:
        body = response.json()
    except ValueError:
        return None
    body = body if isinstance(body, dict) else {}
    words = body.get("message") if isinstance(body.get("message"), str) else None
    if isinstance(errors := body.get("errors"), dict) and errors:
        found = [m for ms in errors.values() for m in (ms if isinstance(ms, list) else [ms])]
        words = "; ".join(map(str, found))
    return None if words is None else words[:500].replace("\x00", "")


def raise_for_answer(response: requests.Response) -> None:
    status, message = response.status_code, f"HTTP {response.status_code}"
    if status in (408, 429) or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise ProviderUnavailable(message, status, retry_after, outcome_unknown=status != 429)
    if not response.ok:
        refused = ProviderNotFound if status == 404 else ProviderRejected
        key_conflict = "idempotency" in response.text[:2000].lower()
        raise refused(message, status, provider_words(response), key_conflict)


@dataclass
class ProviderHttp:
    """One provider service (`catalog`, `order_service`); thread-safe, no app context needed."""

    service: str
    base_url: str
    token: str
    timeout: tuple[float, float]
    pool_size: int = 10
    recent: RecentCalls = field(default_factory=RecentCalls)

    def __post_init__(self) -> None:
        """A pooled session with the bearer token. Proxy and CA settings are read from the
        environment once here: requests would look them up per request (a fifth of its CPU)."""
        self.session = session = requests.Session()
        auth = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        session.headers.update(auth)
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.pool_size)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        if bundle := os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE"):
            session.verify = bundle
        session.trust_env = False

    def call(self, endpoint: str, method: str, path: str, read: Callable, **kw):
        """Send one request and `read` its 2xx answer; any failure is a `ProviderError`."""
        started, kind = time.perf_counter(), None
        try:
            try:
                url = self.base_url.rstrip("/") + path
                response = self.session.request(method, url, timeout=self.timeout, **kw)
            except requests.RequestException as error:
                raise unavailable(error) from error
            raise_for_answer(response)
            return read(response)
        except Exception as error:
            kind = getattr(error, "kind", "other")
            raise
        finally:
            seconds = time.perf_counter() - started
            metrics.observe_provider_call(self.service, endpoint, seconds, kind)
            self.recent.record(kind is None, seconds)


def provider_http(service: str, settings: str, pool_size: int) -> ProviderHttp:
    """The app's client of one service, made on first use from its `<settings>_...` config."""
    key, config = f"provider_http:{service}", current_app.config
    if (found := current_app.extensions.get(key)) is not None:
        return found
    timeout = (config["HTTP_CONNECT_TIMEOUT"], config["HTTP_READ_TIMEOUT"])
    url, token = config[f"{settings}_BASE_URL"], config[f"{settings}_API_TOKEN"]
    made = ProviderHttp(service, url, token, timeout, pool_size, recent_calls())
    return current_app.extensions.setdefault(key, made)


def recent_calls() -> RecentCalls:
    """The app's per-minute sums of its calls to the provider, both services together."""
    return current_app.extensions.setdefault("provider_recent_calls", RecentCalls())


def flush_recent_calls() -> None:
    recent_calls().flush(get_redis())
