"""Settling a send whose outcome stays unknown, or retrying it now, from the console or `flask
sends`: like a send job, a person first takes the send lease, never overtaking a registration."""

import uuid
from datetime import timedelta

import click
import redis
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from rq.registry import StartedJobRegistry
from sqlalchemy import Row, func, select

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.sending import enqueue_send, send_job_id
from app.orders.sending.outcomes import SETTLED, UNREGISTERED
from app.orders.transitions import ChangeRefused, add_note, transition, update_orders
from app.queue import get_send_queue
from app.reasons import Reason


class ProviderIdTaken(ChangeRefused):
    """The provider's id given for an order belongs to another order already."""


def unknown_sends(limit: int = 200) -> list[Row]:
    """Orders in sending whose outcome is unknown: flagged ones first, then the oldest."""
    send = (Order.send_unknown_since, Order.send_attempts, Order.needs_attention_since)
    return db.session.execute(
        select(Order.id.label("order_id"), Order.user_id, *send, Order.status_reason)
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
    """Take the send lease of an order still being sent (else `refusal`). A waiting retry holds
    it too, so no send job may be running and the lease must be unchanged since we read it."""
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or order.status != OrderStatus.SENDING or order.external_uuid is not None:
        raise ChangeRefused(refusal)
    if send_in_flight(order_id):
        raise ChangeRefused(_l("A send attempt is running right now; wait for its outcome."))
    unchanged = Order.send_claimed_until == order.send_claimed_until  # IS NULL if it had none
    taken = update_orders(
        Order.id == order_id, *UNREGISTERED, unchanged, send_claimed_until=lease_until
    )
    if taken.one_or_none() is None:
        db.session.rollback()
        raise ChangeRefused(_l("A send attempt started meanwhile; wait for its outcome."))
    return order


def retry_send(order_id: uuid.UUID, actor_id: int) -> bool:
    """Queue another send attempt now; False if Redis could not take it (the sweep will)."""
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
    """Settle a send nobody could confirm: registered under the provider's id (→ in processing)
    or not at all (→ draft, new revision); the new status."""
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
