"""RQ entry points. On a Postgres outage a job gives up, says so once per outage, and leaves
the work to its next run (a send stays `sending` for the sweep, a due order stays due)."""

import logging
import uuid
from functools import wraps

from flask import current_app
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.extensions import db
from app.orders import sending, sync
from app.outage import Outage, one_line

log = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)


def database_outage() -> Outage:
    """This process's view of Postgres (the worker waits a back-off while it is down)."""
    cap = current_app.config["OUTAGE_BACKOFF_CAP_SECONDS"]
    return current_app.extensions.setdefault("database_outage", Outage("Postgres", log, cap))


def rides_out_database_outages(job):
    @wraps(job)
    def run(*args):
        try:
            result = job(*args)
        except DATABASE_DOWN as error:
            db.session.rollback()
            database_outage().failed(error)
            return f"postponed until Postgres answers: {one_line(error)}"
        database_outage().recovered()
        return result

    return run


@rides_out_database_outages
def submit_order(order_id: str) -> str:
    """Register one order at the order service (job id `send-order-<id>[-retry-n]`)."""
    return sending.submit_order(uuid.UUID(order_id))


@rides_out_database_outages
def requeue_sends() -> int:
    """Every SEND_SWEEP_SECONDS (`periodic-requeue-sends`): queue again the lost sends."""
    return sending.requeue_stuck_sends()


@rides_out_database_outages
def sync_orders() -> dict:
    """The minute job (`periodic-sync-orders`): one status sync run."""
    return sync.run_sync().as_dict()


@rides_out_database_outages
def sync_batch(start_after: str | None, end: str | None, run_id: str) -> dict:
    """One fan-out batch of a large sync run: the due orders with ids in (start_after, end]."""
    return sync.run_batch(start_after, end, run_id).as_dict()
