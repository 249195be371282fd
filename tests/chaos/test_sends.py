"""Sending through provider faults: late answers, errors before and after registering, a
definitive rejection, and ten sends of one order at once."""

import threading
import time

from tests.chaos.orders import REGISTERED
from tests.support.waiting import wait_until

LATE_ANSWER = {"after": True, "delay": 1.5}  # registered, then answered after the read timeout
OLD_RETRY_BUDGET = 6  # tries after which the app used to give the order back as a draft
SETTLE_SECONDS = 240


def provider_orders_of(stack, order_id) -> list[dict]:
    return [o for o in stack.sandbox.orders() if (o["key"] or "").startswith(str(order_id))]


def registration_keys(stack) -> set[str]:
    return {request["key"] for request in stack.sandbox.requests("order_create")}


def first_fault_time(stack) -> float:
    return stack.sandbox.requests("order_create")[0]["t"]


def test_late_answers_keep_the_order_sending_until_the_provider_settles_it(
    stack, customer, orders, services, recoveries
):
    order_id = customer.create_order(services[:2])
    orders.track(order_id)
    stack.sandbox.add_faults("order_create", *[LATE_ANSWER] * (OLD_RETRY_BUDGET + 1))

    assert customer.send(order_id).status == 303
    sent = time.monotonic()
    wait_until(
        lambda: orders.row(order_id).send_attempts >= 1, 30, explain=lambda: "an unanswered attempt"
    )
    assert customer.delete(order_id).status == 409
    assert customer.edit(order_id, services[2:3], htmx=True).status == 409
    page = customer.get(f"/orders/{order_id}").body
    orders.wait_for([order_id], REGISTERED, SETTLE_SECONDS)

    in_time = stack.sandbox.requests("order_create")[OLD_RETRY_BUDGET + 1]["t"]
    recoveries["1. late answers past the old retry budget"] = time.time() - in_time
    recoveries["1. (the whole send, through 7 late answers)"] = time.monotonic() - sent
    [held] = provider_orders_of(stack, order_id)
    assert str(orders.row(order_id).external_uuid) == held["uuid"]
    assert held["services"] == services[:2]
    assert len(registration_keys(stack)) == 1
    assert ("sending", "draft") not in orders.events(order_id)
    assert "has not confirmed" in page, "the order page gives no reason while it waits"


def test_a_503_before_registering_then_fine_gives_one_order(
    stack, customer, orders, services, recoveries
):
    order_id = customer.create_order(services[:1])
    orders.track(order_id)
    stack.sandbox.add_faults("order_create", {"status": 503})
    customer.send(order_id)
    orders.wait_for([order_id], REGISTERED, 60)
    recoveries["2. 503 on registration, then fine"] = time.time() - first_fault_time(stack)
    assert len(provider_orders_of(stack, order_id)) == 1
    assert len(stack.sandbox.requests("order_create")) == 2


def test_a_5xx_after_registering_gives_one_order_under_the_same_key(
    stack, customer, orders, services, recoveries
):
    order_id = customer.create_order(services[:1])
    orders.track(order_id)
    stack.sandbox.add_faults("order_create", {"after": True, "status": 500})
    customer.send(order_id)
    orders.wait_for([order_id], REGISTERED, 60)
    recoveries["3. 5xx after registering"] = time.time() - first_fault_time(stack)
    [held] = provider_orders_of(stack, order_id)
    assert str(orders.row(order_id).external_uuid) == held["uuid"]
    assert len(stack.sandbox.requests("order_create")) == 2
    assert len(registration_keys(stack)) == 1


def test_ten_concurrent_sends_of_one_order_give_one_provider_order(
    stack, customer, orders, services, promises, recoveries
):
    order_id = customer.create_order(services[:3])
    orders.track(order_id)
    tabs = [promises.watch_customer(customer.twin()) for _ in range(10)]
    barrier = threading.Barrier(len(tabs))
    answers = []

    def click(tab):
        barrier.wait()
        answers.append(tab.send(order_id, htmx=True).status)

    threads = [threading.Thread(target=click, args=(tab,)) for tab in tabs]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    orders.wait_for([order_id], REGISTERED, 60)
    recoveries["11. ten concurrent sends of one order"] = time.monotonic() - started
    assert sorted(answers) == [303] + [409] * 9
    assert len(provider_orders_of(stack, order_id)) == 1
    assert orders.events(order_id).count(("draft", "sending")) == 1


REJECTION = {
    "status": 422,
    "body": {"message": "The given data was invalid.", "errors": {"services": ["Sold out."]}},
}


def test_an_order_edited_after_a_rejection_is_registered_as_edited(
    stack, customer, orders, services, recoveries
):
    order_id = customer.create_order(services[:2])
    orders.track(order_id)
    stack.sandbox.add_faults("order_create", REJECTION)
    customer.send(order_id)
    orders.wait_for([order_id], "draft", 60)
    assert "Sold out." in customer.get(f"/orders/{order_id}").body

    assert customer.edit(order_id, services[5:7]).status == 303
    started = time.monotonic()
    customer.send(order_id)
    orders.wait_for([order_id], REGISTERED, 60)
    recoveries["12. edit after a rejection, then send"] = time.monotonic() - started
    [held] = provider_orders_of(stack, order_id)
    assert held["services"] == services[5:7]
    assert str(orders.row(order_id).external_uuid) == held["uuid"]
    assert stack.sandbox.stats()["key_conflicts"] == 0
