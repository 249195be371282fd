"""RQ entry points of the webhooks (queue `webhooks`; the sweep runs from the scheduler)."""

import uuid

from app.orders.jobs import rides_out_database_outages
from app.webhooks import delivery


@rides_out_database_outages
def deliver(event_id: str) -> str:
    """One delivery attempt of one event (job id `webhook-<event>-<attempt>`)."""
    return delivery.deliver(uuid.UUID(event_id))


def fan_out(event_ids: list[str]) -> int:
    """Queue the delivery job of each of many events written by one commit."""
    delivery.enqueue_deliveries([uuid.UUID(event_id) for event_id in event_ids])
    return len(event_ids)


@rides_out_database_outages
def requeue_deliveries() -> int:
    """Every WEBHOOK_SWEEP_SECONDS (`periodic-requeue-webhooks`): queue the lost deliveries."""
    return delivery.requeue_lost()
