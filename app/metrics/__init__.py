"""Prometheus metrics, defined once at import (prometheus-client's registry is process-wide).
With PROMETHEUS_MULTIPROC_DIR set before prometheus_client is first imported, each process writes
its values to files there and `/metrics` adds up every process of the machine."""

import os

from prometheus_client import Counter, Gauge, Histogram, multiprocess

if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(directory, exist_ok=True)  # the metrics below write their files there at once

PREFIX = "clicktomice"
FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SLOW = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)

HTTP_REQUESTS = Counter(
    f"{PREFIX}_http_requests",
    "HTTP requests answered, by method, route (the URL rule, not the path) and status",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time from the start of a request to its response, by method and route",
    ["method", "route"],
    buckets=FAST,
)
SENDS = Counter(
    f"{PREFIX}_order_sends",
    "Send attempts at the order service, by outcome: registered, rejected (4xx), unknown (no "
    "usable answer; the provider may have the order), retried (surely not registered: no "
    "connection or a 429; another attempt follows)",
    ["outcome"],
)
SYNC_RUNS = Counter(
    f"{PREFIX}_sync_runs",
    "Status sync runs and fan-out batch jobs finished, by part (run, batch) and outcome",
    ["part", "outcome"],
)
SYNC_DURATION = Histogram(
    f"{PREFIX}_sync_run_duration_seconds",
    "Duration of status sync runs and batch jobs, by part",
    ["part"],
    buckets=SLOW,
)
SYNC_CHECKED = Counter(f"{PREFIX}_sync_orders_checked", "Status requests made by the sync")
SYNC_CHANGED = Counter(
    f"{PREFIX}_sync_orders_changed", "Orders the sync moved to Done, Failed or Cancelled"
)
PROVIDER_ERRORS = Counter(
    f"{PREFIX}_provider_errors",
    "Failed calls to the provider, by service and kind: connection, timeout, rate_limited, "
    "server_error, bad_answer, not_found, rejected",
    ["service", "kind"],
)
PROVIDER_LATENCY = Histogram(
    f"{PREFIX}_provider_request_duration_seconds",
    "Duration of calls to the provider (answered or not), by service and endpoint",
    ["service", "endpoint"],
    buckets=FAST,
)
LIVE_STREAMS = Gauge(
    f"{PREFIX}_live_streams_open",
    "Server-sent event streams open now (live dashboards and order pages)",
    multiprocess_mode="livesum",
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def count_send(outcome: str) -> None:
    SENDS.labels(outcome).inc()


def count_sync(part: str, outcome: str, seconds: float, checked: int, changed: int) -> None:
    SYNC_RUNS.labels(part, outcome).inc()
    SYNC_DURATION.labels(part).observe(seconds)
    SYNC_CHECKED.inc(checked)
    SYNC_CHANGED.inc(changed)


def observe_provider_call(service: str, endpoint: str, seconds: float, kind: str | None) -> None:
    PROVIDER_LATENCY.labels(service, endpoint).observe(seconds)
    if kind is not None:
        PROVIDER_ERRORS.labels(service, kind).inc()


stream_opened = LIVE_STREAMS.inc
stream_closed = LIVE_STREAMS.dec


def process_exited(pid: int | None = None) -> None:
    """Drop a finished process's live gauges (its counters stay in the sums)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid or os.getpid())


WEBHOOK_DELIVERIES = Counter(
    f"{PREFIX}_webhook_deliveries",
    "Webhook delivery attempts, by outcome: delivered (2xx), http_error (any other status, "
    "redirects included), timeout, connection, refused (the address is not allowed)",
    ["outcome"],
)
WEBHOOK_LATENCY = Histogram(
    f"{PREFIX}_webhook_delivery_duration_seconds",
    "Time from sending a webhook to its answer (or the error)",
    buckets=FAST,
)
WEBHOOK_FIRST_WAIT = Histogram(
    f"{PREFIX}_webhook_first_attempt_delay_seconds",
    "Time from an event's change to the start of its first delivery attempt",
    buckets=FAST,
)
WEBHOOK_BACKLOG = Gauge(
    f"{PREFIX}_webhook_backlog",
    "Webhook events waiting for delivery to enabled endpoints, as the last sweep counted them",
    multiprocess_mode="mostrecent",
)
WEBHOOK_BACKLOG_AGE = Gauge(
    f"{PREFIX}_webhook_backlog_oldest_seconds",
    "How long the oldest webhook event waiting has been due, as the last sweep saw it",
    multiprocess_mode="mostrecent",
)


def count_webhook(outcome: str, latency_ms: int | None, first_wait: float | None) -> None:
    WEBHOOK_DELIVERIES.labels(outcome).inc()
    if latency_ms is not None:
        WEBHOOK_LATENCY.observe(latency_ms / 1000)
    if first_wait is not None:
        WEBHOOK_FIRST_WAIT.observe(max(0.0, first_wait))


def set_webhook_backlog(count: int, oldest_seconds: float) -> None:
    WEBHOOK_BACKLOG.set(count)
    WEBHOOK_BACKLOG_AGE.set(oldest_seconds)
