"""The status sync's HTTP side: many status requests at once, from threads that never touch the
database session; a `RunGate` stops them once the provider looks down or asks us to wait."""

import threading
import time
import uuid
from dataclasses import dataclass
from enum import Enum

from app import reasons
from app.orders.provider import OrderServiceClient
from app.provider_http import ProviderError, ProviderNotFound, ProviderUnavailable
from app.reasons import Reason


@dataclass(frozen=True)
class DueOrder:
    id: uuid.UUID
    external_uuid: uuid.UUID | None


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


def failed(order_id: uuid.UUID, outcome: Outcome, why: Reason | str, **values) -> CheckResult:
    return CheckResult(order_id, outcome, error=reasons.english(why), error_reason=why, **values)


class RunGate:
    """Counts consecutive connection failures across threads and stops the run when needed.
    `rate_limit_pause`: the wait assumed after a 429 that does not say how long to wait."""

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
        if not (error.rate_limited or error.unanswered):
            return self.answered()
        with self._lock:
            if error.rate_limited:
                wait = self.rate_limit_pause if error.retry_after is None else error.retry_after
                self.retry_after = max(self.retry_after, wait)
                self.stop_reason = self.stop_reason or StopReason.RATE_LIMITED
            else:
                self._consecutive += 1
                if self._consecutive >= self.down_after:
                    self.stop_reason = self.stop_reason or StopReason.PROVIDER_DOWN


def check_state(client: OrderServiceClient, order: DueOrder, gate: RunGate) -> CheckResult:
    if gate.stopped:
        return CheckResult(order.id, Outcome.SKIPPED)
    if order.external_uuid is None:
        return failed(order.id, Outcome.FAILED, Reason(reasons.NO_EXTERNAL_UUID))
    started = time.perf_counter()
    try:
        state = client.state(order.external_uuid)
    except ProviderUnavailable as error:
        gate.failed(error)
        outcome = Outcome.UNREACHABLE if error.rate_limited or error.unanswered else Outcome.FAILED
        wait, seconds = error.retry_after or 0.0, time.perf_counter() - started
        return failed(order.id, outcome, error.reason, retry_after=wait, seconds=seconds)
    except ProviderError as error:  # a refusal: the provider answered, about this order
        gate.answered()
        outcome = Outcome.NOT_FOUND if isinstance(error, ProviderNotFound) else Outcome.FAILED
        return failed(order.id, outcome, error.reason, seconds=time.perf_counter() - started)
    gate.answered()
    seconds = time.perf_counter() - started
    return CheckResult(order.id, Outcome.ANSWERED, state=state, seconds=seconds)
