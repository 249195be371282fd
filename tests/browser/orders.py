"""Orders in any status for the browser tests, made through the app's own state machine."""

import uuid

from app import reasons
from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.drafts import create_draft
from app.orders.transitions import transition
from app.reasons import Reason

S = OrderStatus
R = reasons
SENT = Reason(R.SENT_BY_CUSTOMER)
REGISTERED = Reason(R.REGISTERED)
PATHS = {
    S.DRAFT: [],
    S.SENDING: [(S.DRAFT, S.SENDING, SENT)],
    S.IN_PROCESSING: [(S.DRAFT, S.SENDING, SENT), (S.SENDING, S.IN_PROCESSING, REGISTERED)],
}
PATHS[S.DONE] = [
    *PATHS[S.IN_PROCESSING],
    (S.IN_PROCESSING, S.DONE, Reason(R.PROVIDER_REPORTS, state="done")),
]
PATHS[S.CANCELLED] = [
    *PATHS[S.IN_PROCESSING],
    (S.IN_PROCESSING, S.CANCELLED, Reason(R.CANCELLED_BY_CUSTOMER)),
]
PATHS[S.FAILED] = [
    *PATHS[S.IN_PROCESSING],
    (S.IN_PROCESSING, S.FAILED, Reason(R.PROVIDER_REPORTS, state="failed")),
]


def order_in_status(user_id: int, service_uuids: list[str], status: str) -> Order:
    """A new draft with these services, moved along the usual path to `status`."""
    order = create_draft(user_id, service_uuids)
    for expected, to, reason in PATHS[status]:
        extra = {"external_uuid": uuid.uuid4()} if to == S.IN_PROCESSING else {}
        assert transition(order.id, expected, to, reason, **extra) is not None
        db.session.commit()
    db.session.refresh(order)
    return order
