"""The status sync's HTTP side: ask the order service for many states at once.

The request threads only call the order-service client and return plain results; they never
touch the database session or the app context. A `RunGate`, shared by the threads of one run,
stops new requests once the provider looks down or has asked us to wait (Retry-After).
"""

import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum

from app import reasons
from app.orders.provider import OrderServiceClient
from app.orders.sync.store import DueOrder
from app.provider_http import ProviderError, ProviderNotFound, ProviderUnavailable
from app.reasons import Reason


class Outcome(Enum):
    ANSWERED = "answered"
    NOT_FOUND = "not_found"
    FAILED = "failed"  # this order's answer was unusable: it backs off on its own
    UNREACHABLE = "unreachable"  # no answer, or asked to wait: the provider's state, not ours
    SKIPPED = "skipped"


class StopReason(Enum):
    PROVIDER_DOWN = "provider_down"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class CheckResult:
    order_id: uuid.UUID
    outcome: Outcome
    state: str | None = None
    error: str | None = None  # in English, for logs and records
    retry_after: float = 0.0
    seconds: float | None = None  # how long the status request took
    error_reason: Reason | str | None = None  # the error, for the order's pages


def failed(order_id: uuid.UUID, outcome: Outcome, reason: Reason | str, **values) -> CheckResult:
    """A check that got no usable answer, with its reason in English and as given."""
    return CheckResult(
        order_id, outcome, error=reasons.english(reason), error_reason=reason, **values
    )


class RunGate:
    """Counts consecutive connection failures across threads and stops the run when needed.

    `rate_limit_pause` is the wait assumed after a 429 that does not say how long to wait.
    """

    def __init__(self, down_after: int, rate_limit_pause: float):
        self.down_after = down_after
        self.rate_limit_pause = rate_limit_pause
        self.stop_reason: StopReason | None = None
        self.retry_after = 0.0
        self._consecutive = 0
        self._answers = 0
        self._lock = threading.Lock()

    @property
    def stopped(self) -> bool:
        return self.stop_reason is not None

    @property
    def provider_down(self) -> bool:
        """Stopped for connection failures, or every request of the run failed to connect."""
        return self.stop_reason is StopReason.PROVIDER_DOWN or (
            self._consecutive > 0 and self._answers == 0
        )

    def answered(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._answers += 1

    def failed(self, error: ProviderUnavailable) -> None:
        with self._lock:
            if error.rate_limited:
                wait = self.rate_limit_pause if error.retry_after is None else error.retry_after
                self.retry_after = max(self.retry_after, wait)
                self.stop_reason = self.stop_reason or StopReason.RATE_LIMITED
            elif error.unanswered:
                self._consecutive += 1
                if self._consecutive >= self.down_after:
                    self.stop_reason = self.stop_reason or StopReason.PROVIDER_DOWN
            else:
                self._consecutive = 0
                self._answers += 1


def check_state(client: OrderServiceClient, order: DueOrder, gate: RunGate) -> CheckResult:
    """One status request (run in a pool thread); skipped once the gate has closed."""
    if gate.stopped:
        return CheckResult(order.id, Outcome.SKIPPED)
    if order.external_uuid is None:
        return failed(order.id, Outcome.FAILED, Reason(reasons.NO_EXTERNAL_UUID))
    started = time.perf_counter()
    try:
        state = client.state(order.external_uuid)
    except ProviderUnavailable as error:
        gate.failed(error)
        provider_wide = error.rate_limited or error.unanswered
        return failed(
            order.id,
            Outcome.UNREACHABLE if provider_wide else Outcome.FAILED,
            error.reason,
            retry_after=error.retry_after or 0.0,
            seconds=time.perf_counter() - started,
        )
    except ProviderError as error:  # a refusal: the provider answered, about this order
        gate.answered()
        outcome = Outcome.NOT_FOUND if isinstance(error, ProviderNotFound) else Outcome.FAILED
        return failed(order.id, outcome, error.reason, seconds=time.perf_counter() - started)
    gate.answered()
    return CheckResult(
        order.id, Outcome.ANSWERED, state=state, seconds=time.perf_counter() - started
    )


def submit_checks(
    pool: ThreadPoolExecutor, client: OrderServiceClient, batch: list[DueOrder], gate: RunGate
) -> list[Future]:
    """Queue one request per order on the bounded pool; results are collected later."""
    return [pool.submit(check_state, client, order, gate) for order in batch]
