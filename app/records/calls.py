"""The provider calls of each order, for the operators' story of an order: every send attempt,
and the status checks worth reading (not a routine "still processing": that would be a row per
order per minute). Rows join the caller's transaction and commit with its changes."""

import uuid

from sqlalchemy import insert

from app import reasons
from app.extensions import db
from app.metrics import count_send
from app.models import ProviderCall
from app.reasons import Reason


def milliseconds(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def failed_send_outcome(error) -> str:
    """A send attempt without a usable answer: `unknown` when the request may have reached the
    provider (a read timeout, a 5xx, an unreadable answer), `retried` when it surely did not."""
    return "unknown" if error.outcome_unknown else "retried"


def record_send(order_id: uuid.UUID, outcome: str, answer: Reason | str, seconds: float) -> None:
    """One send attempt: registered, rejected, retried or unknown (see `metrics.SENDS`).
    `answer`: the provider's id or words, or our reason."""
    count_send(outcome)
    text, coded = reasons.columns(answer)
    db.session.add(
        ProviderCall(
            order_id=order_id,
            kind="send",
            outcome=outcome,
            answer=text[:1000],
            answer_coded=coded,
            duration_ms=milliseconds(seconds),
        )
    )


def record_checks(results: list, actor_id: int | None = None) -> None:
    """Status checks, as the sync's `CheckResult`s (outcome, state or error, seconds)."""
    if not results:
        return
    db.session.execute(
        insert(ProviderCall),
        [
            {
                "order_id": result.order_id,
                "kind": "check",
                "outcome": result.outcome.value,
                "answer": (result.state or result.error or "")[:1000],
                "answer_coded": None if result.state else reasons.columns(result.error_reason)[1],
                "duration_ms": milliseconds(result.seconds),
                "actor_id": actor_id,
            }
            for result in results
        ],
    )
