"""A rolling deploy (deploy/stack.py `deploy`, `make deploy`) under steady load: no request is
lost, live streams reconnect to a process that stays within 2 s, and a send made while the
workers are replaced reaches the provider exactly once."""

import time

from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, OrderStatus
from deploy.processes import alive
from tests.stack.customers import StreamReader
from tests.stack.load import SteadyLoad
from tests.support.waiting import wait_until

STREAM_RECONNECT_SECONDS = 2.0


def test_a_rolling_deploy_loses_no_request_and_streams_reconnect_within_2_s(
    healthy_stack, make_customer, sandbox_control, direct_app
):
    stack = healthy_stack
    customers = [make_customer().logged_in() for _ in range(3)]
    sender = make_customer().logged_in()
    drafts = [sender.create_draft(sender.services()) for _ in range(4)]
    registered = sandbox_control.stats()["orders_registered"]
    old = {name: stack.pid(name) for name in (*stack.settings.hosts, "worker-1", "worker-2")}
    with SteadyLoad(customers) as load, StreamReader(sender.http) as stream:
        stream.wait_open()
        for order_id in drafts[:2]:
            assert sender.send(order_id).status_code == 303
        stack.deploy()
        for order_id in drafts[2:]:
            assert sender.send(order_id).status_code == 303
        time.sleep(1)  # the load goes on a moment on the new processes
    tally = load.tally
    print(f"rolling deploy: {tally.total()} requests, answers {dict(tally.answers)}")
    print(f"stream reconnections (s): {stream.log.reconnections()}")
    assert tally.total() > 50 and tally.created > 10
    assert tally.failed() == {}, tally.answers
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

    wait_until(lambda: sent() == len(drafts), seconds=30, explain=lambda: f"{sent()} sent")
    assert sandbox_control.stats()["orders_registered"] - registered == len(drafts)
