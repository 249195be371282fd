"""A rolling deploy (deploy/stack.py `deploy`, `make deploy`) under steady load: no request is
lost, live streams reconnect to a process that stays within 2 s, and a send made while the
workers are replaced reaches the provider exactly once."""

import threading
import time

from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, OrderStatus
from deploy.processes import alive
from tests.stack.customers import StreamReader
from tests.stack.load import SteadyLoad
from tests.support.waiting import wait_until

STREAM_RECONNECT_SECONDS = 2.0
PROVIDER_LATENCY_MS = 700  # each send takes this long at the provider: some are in hand


class Sender(threading.Thread):
    """Creates and sends one draft after another until the deploy is over, so that each
    worker is told to stop with a send in hand."""

    def __init__(self, customer):
        super().__init__()
        self.customer = customer
        self.services = customer.services()
        self.sent: list = []
        self.answers: list[int] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            order_id = self.customer.create_draft(self.services)
            self.answers.append(self.customer.send(order_id).status_code)
            self.sent.append(order_id)
            time.sleep(0.3)


def test_a_rolling_deploy_loses_no_request_and_streams_reconnect_within_2_s(
    healthy_stack, make_customer, sandbox_control, direct_app
):
    stack = healthy_stack
    customers = [make_customer().logged_in() for _ in range(3)]
    sender = make_customer().logged_in()
    registered = sandbox_control.stats()["orders_registered"]
    old = {name: stack.pid(name) for name in (*stack.settings.hosts, "worker-1", "worker-2")}
    sandbox_control.set_knobs(latency_ms=PROVIDER_LATENCY_MS)
    sends = Sender(sender)
    try:
        with SteadyLoad(customers) as load, StreamReader(sender.http) as stream:
            stream.wait_open()
            sends.start()
            stack.deploy()
            sends.stopping.set()
            sends.join()
    finally:
        sandbox_control.set_knobs(latency_ms=0)
    tally = load.tally
    print(f"rolling deploy: {tally.total()} requests, answers {dict(tally.answers)}")
    print(f"stream reconnections (s): {stream.log.reconnections()}")
    assert tally.total() > 50 and tally.created > 10
    assert tally.failed() == {}, tally.answers
    assert sends.answers == [303] * len(sends.sent)
    drafts = sends.sent
    print(f"sends during the deploy: {len(drafts)}")
    assert all(not alive(pid) for pid in old.values()), "a process was not replaced"
    assert stream.log.reconnections(), "the stream was never moved"
    assert max(stream.log.reconnections()) <= STREAM_RECONNECT_SECONDS
    assert 250 in stream.log.retries  # the stopping process asked for a quick reconnection

    def sent() -> int:
        db.session.expire_all()
        query = select(func.count()).where(
            Order.id.in_(drafts), Order.status.in_((OrderStatus.IN_PROCESSING, OrderStatus.DONE))
        )
        return db.session.execute(query).scalar()

    wait_until(lambda: sent() == len(drafts), seconds=60, explain=lambda: f"{sent()} sent")
    assert sandbox_control.stats()["orders_registered"] - registered == len(drafts)
