"""RQ entry points of the webhooks (queue `webhooks`; the sweep runs from the scheduler)."""

import uuid

from app.orders.jobs import rides_out_database_outages
from app.webhooks import delivery


@rides_out_database_outages
def deliver(event_id: str) -> str:
    """One delivery attempt of one event (job id `webhook-<event>-<attempt>`)."""
    return delivery.deliver(uuid.UUID(event_id))


def deliver_many(event_ids: list[str]) -> dict[str, int]:
    """The first attempts of the events one commit wrote, side by side."""
    return delivery.deliver_many([uuid.UUID(event_id) for event_id in event_ids])


@rides_out_database_outages
def requeue_deliveries() -> int:
    """Every WEBHOOK_SWEEP_SECONDS (`periodic-requeue-webhooks`): queue the lost deliveries."""
    return delivery.requeue_lost()
