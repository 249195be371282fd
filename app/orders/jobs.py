"""RQ entry points. They run inside the worker's app context and call the service layer."""

import uuid

from app.orders import sending


def submit_order(order_id: str) -> str:
    return sending.submit_order(uuid.UUID(order_id))
