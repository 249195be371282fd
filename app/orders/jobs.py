"""RQ entry points. They run inside the worker's app context and call the service layer."""

import uuid

from app.orders import sending, sync


def submit_order(order_id: str) -> str:
    """Register one order at the order service (job id `send-order-<id>[-retry-n]`)."""
    return sending.submit_order(uuid.UUID(order_id))


def sync_orders() -> dict:
    """The minute job (scheduler id `periodic-sync-orders`): one status sync run."""
    return sync.run_sync().as_dict()


def sync_batch(start_after: str | None, end: str | None, run_id: str) -> dict:
    """One fan-out batch of a large sync run: the due orders with ids in (start_after, end]."""
    return sync.run_batch(start_after, end, run_id).as_dict()
