"""Webhook fixtures: receivers on free ports, endpoints registered for a user, and orders
whose status changes go through the state machine."""

import uuid

import pytest

from app.extensions import db
from app.models import OrderStatus
from app.orders.transitions import transition
from app.webhooks import service
from app.webhooks.events import ORDER_TYPES
from tests.support.orders import insert_orders
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(*args, **kwargs) -> Receiver:
        receiver = Receiver(*args, **kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.stop()


@pytest.fixture
def receiver(receivers):
    return receivers()


def register(user_id: int, url: str, types=None):
    """An endpoint and its secret."""
    return service.create_endpoint(user_id, url, list(types or ORDER_TYPES))


def sending_order(user_id: int) -> uuid.UUID:
    """An order in sending (straight in the database, no event written)."""
    ((order_id, _),) = insert_orders(user_id, 1, status=OrderStatus.SENDING)
    return order_id


def change(order_id: uuid.UUID, expected: str, to: str, **values) -> None:
    """One status change through the state machine, committed."""
    assert transition(order_id, expected, to, **values) is not None
    db.session.commit()


@pytest.fixture
def user_factory(make_app, restore_signals):
    """An app with extra settings (in its context), a user, and a burst worker for it."""
    from app.queue import make_worker
    from tests.support.auth import EMAIL, PASSWORD

    contexts = []

    def build(**settings):
        app = make_app(**settings)
        context = app.app_context()
        context.push()
        contexts.append(context)
        from tests.factories import Factory

        user = Factory(db.session).user(email=EMAIL, password=PASSWORD)
        return app, user, lambda: make_worker(app).work(burst=True, logging_level="WARNING")

    yield build
    for context in reversed(contexts):
        context.pop()
