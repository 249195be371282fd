"""Live updates: every order change is published to the owner's Redis channel."""

import json
import logging

import redis

from app.extensions import get_redis

log = logging.getLogger(__name__)


def user_channel(user_id: int) -> str:
    return f"orders:user:{user_id}"


def publish_changes(changes: list[tuple[int, str, str]]) -> None:
    """Publish (user id, order id, new status) triples; a Redis outage only costs a refresh."""
    if not changes:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for user_id, order_id, status in changes:
            message = json.dumps({"order_id": str(order_id), "status": status})
            pipe.publish(user_channel(user_id), message)
        pipe.execute()
    except redis.RedisError as error:
        log.warning("live update not published (Redis): %s", error)
