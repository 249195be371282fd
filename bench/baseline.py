"""The original app's status sync, re-implemented faithfully for the benchmark only.

The Laravel command it replaces ran every minute and did, in effect:

    Order::where('status', 'in_processing')->chunkById(100, function ($orders) {
        $done = [];
        foreach ($orders as $order) {
            $response = Http::withToken($token)->get("$base/api/order/{$order->external_uuid}");
            if ($response->json('state') === 'done') { $done[] = $order->id; }
            else { Log::error("Order {$order->id} is not done yet"); }
        }
        Order::whereIn('id', $done)->update(['status' => 'done']);
    });

So: whole rows in chunks of 100 by id, one blocking request per order in sequence with a
fresh HTTP client each time (Laravel's `Http` facade builds a new Guzzle client per call, so
no connection is reused), only "done" understood, one bulk update per chunk, no events.
Laravel's `chunk()` (OFFSET paging) would skip half the rows here, because the update takes
them out of the filter; `chunkById` is timed so that both algorithms do the same work.
"""

import logging
import time
from dataclasses import dataclass

import requests
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Order

log = logging.getLogger("bench.baseline")

CHUNK = 100
LARAVEL_DEFAULT_TIMEOUT = 30


@dataclass
class BaselineResult:
    checked: int = 0
    changed: int = 0
    duration: float = 0.0


def chunks_by_id():
    """Eloquent's chunkById(100): `select * ... where id > ? order by id limit 100`."""
    last_id = None
    while True:
        statement = select(Order).where(Order.status == "in_processing").order_by(Order.id)
        if last_id is not None:
            statement = statement.where(Order.id > last_id)
        orders = db.session.scalars(statement.limit(CHUNK)).all()
        if not orders:
            return
        last_id = orders[-1].id
        yield orders


def state_of(base_url: str, token: str, external_uuid) -> str | None:
    """One blocking request on a new client, as `Http::withToken()->get()` does."""
    response = requests.get(
        f"{base_url}/api/order/{external_uuid}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=LARAVEL_DEFAULT_TIMEOUT,
    )
    try:
        return response.json().get("state")
    except ValueError:
        return None


def run_baseline(base_url: str, token: str) -> BaselineResult:
    result = BaselineResult()
    started = time.perf_counter()
    for orders in chunks_by_id():
        done = []
        for order in orders:
            result.checked += 1
            if state_of(base_url, token, order.external_uuid) == "done":
                done.append(order.id)
            else:
                log.error("Order %s is not done yet", order.id)
        if done:
            db.session.execute(
                update(Order)
                .where(Order.id.in_(done))
                .values(status="done", updated_at=func.now())
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        db.session.expunge_all()
        result.changed += len(done)
    result.duration = time.perf_counter() - started
    return result
