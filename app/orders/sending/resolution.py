"""What a person does about a send, from the console or the command line alike: settle one
whose outcome stays unknown, once they have asked the provider (by its own means) whether it
holds the order, or retry one now. Like a send job, a person first takes the order's send
lease (app/orders/sending/), and is refused while a send job is running for the order or
has taken the lease since: a registration under way is never overtaken.

- `flask sends unknown` lists the orders whose send outcome is unknown, the ones flagged for
  a person first, with since when, how many tries, and the last answer.
- `flask sends resolve ORDER --registered-as UUID`: the provider holds it under UUID; the order
  moves on to in processing, and the status sync takes it from there.
- `flask sends resolve ORDER --not-registered`: the provider holds nothing; the order goes back
  to draft with a new revision (so a new Idempotency-Key), for the customer to send again.
"""

import uuid
from datetime import timedelta

import click
import redis
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from rq.registry import StartedJobRegistry
from sqlalchemy import Row, func, select, update

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.sending import enqueue_send, send_job_id
from app.orders.sending.outcomes import SETTLED
from app.orders.transitions import ChangeRefused, add_note, transition
from app.queue import get_send_queue
from app.reasons import Reason


class ProviderIdTaken(ChangeRefused):
    """The provider's id given for an order belongs to another order already."""


def unknown_sends(limit: int = 200) -> list[Row]:
    """Orders in sending whose outcome is unknown: flagged ones first, then the oldest."""
    return db.session.execute(
        select(
            Order.id.label("order_id"),
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


def send_in_flight(order_id: uuid.UUID) -> bool:
    """A send job for this order is running right now (RQ marks it started before it claims)."""
    prefix = send_job_id(order_id)
    running = StartedJobRegistry(queue=get_send_queue()).get_job_ids()
    return any(job_id.startswith(prefix) for job_id in running)


def take_over_send(order_id: uuid.UUID, lease_until, refusal: LazyString) -> Order:
    """Set the send lease of an order still being sent, unless a send job holds it; the order.

    A waiting retry also holds a lease (until it is due), so the lease alone cannot tell; no
    running send job, and a lease unchanged since we read it, can. `refusal` says why an
    order that is not being sent is refused.
    """
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or order.status != OrderStatus.SENDING or order.external_uuid is not None:
        raise ChangeRefused(refusal)
    if send_in_flight(order_id):
        raise ChangeRefused(_l("A send attempt is running right now; wait for its outcome."))
    seen = order.send_claimed_until
    unchanged = (
        Order.send_claimed_until.is_(None) if seen is None else Order.send_claimed_until == seen
    )
    taken = db.session.execute(
        update(Order)
        .where(
            Order.id == order_id,
            Order.status == OrderStatus.SENDING,
            Order.external_uuid.is_(None),
            unchanged,
        )
        .values(send_claimed_until=lease_until)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        db.session.rollback()
        raise ChangeRefused(_l("A send attempt started meanwhile; wait for its outcome."))
    return order


def retry_send(order_id: uuid.UUID, actor_id: int) -> bool:
    """Queue another send attempt at once, instead of waiting for the next retry; False if
    Redis could not take it (the sweep will)."""
    refusal = _l("Only an order that is still being sent can be retried.")
    order = take_over_send(order_id, None, refusal)
    add_note(order_id, OrderStatus.SENDING, Reason(reasons.SEND_RETRIED), actor_id)
    db.session.commit()
    job_id = f"{send_job_id(order_id, order.send_attempts)}-operator-{uuid.uuid4().hex[:8]}"
    return enqueue_send(order_id, job_id)


def resolve_send(
    order_id: uuid.UUID,
    external_uuid: uuid.UUID | None,
    actor_id: int | None = None,
    note: str | None = None,
) -> str:
    """Settle a send nobody could confirm: registered under the provider's id (→ in
    processing) or not registered at all (→ draft under a new revision, so a new
    Idempotency-Key); with the person's note, if any, on the timeline. Returns the status."""
    if external_uuid is not None:
        owner = db.session.scalar(select(Order.id).where(Order.external_uuid == external_uuid))
        if owner is not None:
            taken = _l("That provider id belongs to order %(order)s already.", order=owner)
            raise ProviderIdTaken(taken)
    lease = func.now() + timedelta(seconds=current_app.config["SEND_CLAIM_SECONDS"])
    take_over_send(order_id, lease, _l("Only an order that is still being sent can be resolved."))
    if external_uuid is not None:
        to, reason = OrderStatus.IN_PROCESSING, Reason(reasons.FOUND_AT_PROVIDER)
        found = {"external_uuid": external_uuid, "next_check_at": func.now()}
    else:
        to, reason = OrderStatus.DRAFT, Reason(reasons.NOT_AT_PROVIDER)
        found = {"revision": Order.revision + 1}
    transition(order_id, OrderStatus.SENDING, to, reason, actor_id, **SETTLED, **found)
    if note:
        add_note(order_id, to, Reason(reasons.SEND_RESOLVED, note=note), actor_id)
    db.session.commit()
    return to


@click.group("sends")
def sends_command() -> None:
    """Sends whose outcome is unknown, and settling them by hand."""


@sends_command.command("unknown")
def list_unknown() -> None:
    """List the sends whose outcome is unknown, flagged ones first."""
    sends = unknown_sends()
    if not sends:
        click.echo("No sends with an unknown outcome.")
    for send in sends:
        flag = "NEEDS ATTENTION " if send.needs_attention_since else ""
        click.echo(
            f"{flag}{send.order_id} user={send.user_id} unknown since "
            f"{send.send_unknown_since:%Y-%m-%d %H:%M:%S %Z} tries={send.send_attempts}: "
            f"{send.status_reason}"
        )


@sends_command.command("resolve")
@click.argument("order_id", type=click.UUID)
@click.option("--registered-as", type=click.UUID, help="The provider's uuid for the order.")
@click.option("--not-registered", is_flag=True, help="The provider has no such order.")
def resolve(order_id: uuid.UUID, registered_as: uuid.UUID | None, not_registered: bool) -> None:
    """Settle one send after asking the provider what it holds."""
    if (registered_as is None) == (not not_registered):
        raise click.UsageError("Give exactly one of --registered-as UUID or --not-registered.")
    try:
        status = resolve_send(order_id, registered_as)
    except ChangeRefused as error:
        with force_locale("en"):
            refusal = str(error)
        raise click.ClickException(f"Order {order_id}: {refusal} Nothing changed.") from error
    except redis.RedisError as error:
        raise click.ClickException(f"Redis is not answering ({error}); nothing changed.") from error
    click.echo(f"Order {order_id} settled: now {status}.")
