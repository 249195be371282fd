"""Helpers for the console tests: orders brought into each situation through the real paths."""

import re

from app.extensions import db
from app.models import Order, OrderEvent, ProviderCall
from tests.support.orders import reload

# Sends retried slowly enough to stay unconfirmed, and flagged as such at once: the console then
# has something that needs a human.
UNCONFIRMED_AT_ONCE = {
    "SEND_MAX_ATTEMPTS": 50,
    "SEND_BACKOFF_SECONDS": 60,
    "OPS_SEND_UNCONFIRMED_SECONDS": 0,
}


def send(client, order_id, run_jobs) -> Order:
    """The customer sends the order and the worker runs what was queued."""
    assert client.post(f"/orders/{order_id}/send").status_code == 303
    run_jobs()
    return reload(order_id)


def attention_rows(operator_client) -> dict[str, str]:
    """The console's "needs a human" table: order id → kind."""
    page = operator_client.get("/ops/").get_data(as_text=True)
    if 'id="attention"' not in page:
        return {}
    table = page.split('id="attention"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(ATTENTION_ROW, table))


ATTENTION_ROW = r'data-order-id="([^"]+)" data-status="[^"]+" data-attention="([^"]+)"'


def notes(order_id) -> list[OrderEvent]:
    db.session.expire_all()
    events = db.session.scalars(
        db.select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id)
    )
    return [event for event in events if event.actor_id is not None]


def calls(order_id) -> list[ProviderCall]:
    db.session.expire_all()
    query = db.select(ProviderCall).where(ProviderCall.order_id == order_id)
    return list(db.session.scalars(query.order_by(ProviderCall.id)))
