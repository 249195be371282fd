"""Settling, by hand, a send whose outcome stays unknown: what an operator does once they have
asked the provider (by its own means) whether it holds the order.

- `flask sends unknown` lists the orders whose send outcome is unknown, the ones flagged for
  a person first, with since when, how many tries, and the last answer.
- `flask sends resolve ORDER --registered-as UUID`: the provider holds it under UUID; the order
  moves on to in processing, and the status sync takes it from there.
- `flask sends resolve ORDER --not-registered`: the provider holds nothing; the order goes back
  to draft with a new revision (so a new Idempotency-Key), for the customer to send again.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

import click
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders import reasons
from app.orders.reasons import Reason
from app.orders.send_outcomes import SETTLED
from app.orders.transitions import commit_transition


@dataclass(frozen=True)
class UnknownSend:
    order_id: uuid.UUID
    user_id: int
    unknown_since: datetime
    attempts: int
    needs_attention_since: datetime | None
    last_answer: str | None


def unknown_sends(limit: int = 200) -> list[UnknownSend]:
    """Orders in sending whose outcome is unknown: flagged ones first, then the oldest."""
    rows = db.session.execute(
        select(
            Order.id,
            Order.user_id,
            Order.send_unknown_since,
            Order.send_attempts,
            Order.needs_attention_since,
            Order.status_reason,
        )
        .where(Order.status == OrderStatus.SENDING, Order.send_unknown_since.is_not(None))
        .order_by(Order.needs_attention_since.asc().nulls_last(), Order.send_unknown_since)
        .limit(limit)
    ).all()
    return [UnknownSend(*row) for row in rows]


def resolve_registered(order_id: uuid.UUID, external_uuid: uuid.UUID) -> bool:
    """The provider holds the order under `external_uuid`; False if it was not sending."""
    return commit_transition(
        order_id,
        OrderStatus.SENDING,
        OrderStatus.IN_PROCESSING,
        Reason(reasons.CONFIRMED_REGISTERED, external_uuid=str(external_uuid)),
        external_uuid=external_uuid,
        next_check_at=func.now(),
        **SETTLED,
    )


def resolve_not_registered(order_id: uuid.UUID) -> bool:
    """The provider holds nothing; back to draft under a new revision. False if not sending."""
    return commit_transition(
        order_id,
        OrderStatus.SENDING,
        OrderStatus.DRAFT,
        Reason(reasons.CONFIRMED_NOT_REGISTERED),
        revision=Order.revision + 1,
        **SETTLED,
    )


@click.group("sends")
def sends_command() -> None:
    """Sends whose outcome is unknown, and settling them by hand."""


@sends_command.command("unknown")
def list_unknown() -> None:
    """List the sends whose outcome is unknown, flagged ones first."""
    for send in unknown_sends():
        flag = "NEEDS ATTENTION " if send.needs_attention_since else ""
        click.echo(
            f"{flag}{send.order_id} user={send.user_id} unknown since "
            f"{send.unknown_since:%Y-%m-%d %H:%M:%S %Z} tries={send.attempts}: {send.last_answer}"
        )


@sends_command.command("resolve")
@click.argument("order_id", type=click.UUID)
@click.option("--registered-as", type=click.UUID, help="The provider's uuid for the order.")
@click.option("--not-registered", is_flag=True, help="The provider has no such order.")
def resolve(order_id: uuid.UUID, registered_as: uuid.UUID | None, not_registered: bool) -> None:
    """Settle one send after asking the provider what it holds."""
    if (registered_as is None) == (not not_registered):
        raise click.UsageError("Give exactly one of --registered-as UUID or --not-registered.")
    if registered_as is not None:
        done = resolve_registered(order_id, registered_as)
    else:
        done = resolve_not_registered(order_id)
    if not done:
        raise click.ClickException(f"Order {order_id} is not sending; nothing changed.")
    click.echo(f"Order {order_id} settled.")
