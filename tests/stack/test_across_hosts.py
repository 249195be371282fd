"""Two web hosts behind nginx share everything through Redis and Postgres (via PgBouncer): a
change made through one reaches a stream served by the other, and a logout made on one is
refused by the other at its next request."""

import json
import time

from tests.stack.conftest import host_url
from tests.stack.customers import StreamReader
from tests.support.waiting import wait_until


def test_a_change_through_one_host_reaches_a_stream_on_the_other_within_a_second(
    stack, make_customer
):
    customer = make_customer().logged_in()
    order_id = customer.create_draft(customer.services())
    with (
        customer.on_host(host_url(stack, 0)) as first,
        customer.on_host(host_url(stack, 1)) as second,
        StreamReader(second) as reader,
    ):
        reader.wait_open()
        made = time.monotonic()
        assert customer.send(order_id, http=first).status_code == 303
        wait_until(lambda: reader.log.events, seconds=5, explain=lambda: str(reader.log))
        arrived, data = reader.log.events[0]
    assert json.loads(data)["order_id"] == str(order_id)
    assert arrived - made <= 1.0, f"the change took {arrived - made:.2f} s to cross hosts"


def test_a_logout_on_one_host_is_refused_on_the_other_at_the_next_request(stack, make_customer):
    customer = make_customer().logged_in()
    with (
        customer.on_host(host_url(stack, 0)) as first,
        customer.on_host(host_url(stack, 1)) as second,
    ):
        assert second.get("/").status_code == 200
        token = customer.csrf("/", first)
        assert first.post("/logout", data={"csrf_token": token}).status_code in (302, 303)
        refused = second.get("/")
    assert refused.status_code == 302
    assert "/login" in refused.headers["location"]
