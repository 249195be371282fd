"""Processes dying and doubling: a worker killed mid-send and mid-sync, two schedulers."""

import itertools
import re
import time
from datetime import datetime

from tests.chaos.conftest import EMAIL
from tests.chaos.orders import REGISTERED
from tests.chaos.stack import SETTINGS
from tests.support.waiting import wait_until

INTERVAL = float(SETTINGS["SYNC_INTERVAL_SECONDS"])
RECOVERY_LIMIT = 120  # seconds from a worker's death to its orders being registered
# "<date> <time> INFO app.orders.sync.run [<request id>] status sync done: …"
SUMMARY = re.compile(
    r"^(\S+ \S+) INFO app\.orders\.sync\S* \[\S+\] status sync (\w+):", re.MULTILINE
)


def test_a_worker_killed_during_a_send(stack, customer, orders, services, recoveries):
    order_id = customer.create_order(services[:2])
    orders.track(order_id)
    stack.sandbox.add_faults("order_create", {"after": True, "delay": 5})
    customer.send(order_id)
    wait_until(
        lambda: stack.sandbox.requests("order_create"),
        30,
        explain=lambda: "the send to reach the provider",
    )

    stack["worker"].kill9()
    killed = time.monotonic()
    stack.start_process("worker")
    orders.wait_for([order_id], REGISTERED, RECOVERY_LIMIT)
    recoveries["9a. worker kill -9 during a send"] = time.monotonic() - killed
    held = [o for o in stack.sandbox.orders() if o["key"].startswith(str(order_id))]
    assert len(held) == 1


def test_a_worker_killed_during_a_sync_batch(stack, customer, orders, services, recoveries):
    pairs = orders.insert_processing(EMAIL, 40)
    stack.sandbox.seed_orders([external for _, external in pairs], state="done")
    stack.sandbox.set_knobs(latency_ms=300)
    order_ids = [order_id for order_id, _ in pairs]
    wait_until(
        lambda: 0 < list(orders.statuses(order_ids).values()).count("done") < len(order_ids),
        30,
        step=0.02,
        explain=lambda: "no sync run caught half-way through",
    )

    stack["worker"].kill9()
    killed = time.monotonic()
    stack.sandbox.set_knobs(latency_ms=0)
    stack.start_process("worker")
    [sent] = orders.place(customer, services, 1)
    orders.wait_for(order_ids, "done", RECOVERY_LIMIT)
    recoveries["9b. worker kill -9 during a sync batch"] = time.monotonic() - killed
    for order_id in order_ids:
        assert orders.events(order_id) == [("in_processing", "done")]
    assert orders.status(sent) in ("in_processing", "done")


def sync_runs(log: str) -> list[tuple[datetime, str]]:
    return [
        (datetime.strptime(when, "%Y-%m-%d %H:%M:%S,%f"), outcome)
        for when, outcome in SUMMARY.findall(log)
    ]


def test_two_schedulers_give_one_sync_run_per_interval(stack, recoveries):
    stack.start_process("scheduler", "scheduler-2")
    log_start = stack["worker"].log_size()
    runs = wait_until(
        lambda: len(found := sync_runs(stack["worker"].log_since(log_start))) >= 4 and found,
        10 * INTERVAL,
        explain=lambda: "fewer than four sync runs",
    )
    times = [when for when, _ in runs]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    # rq-scheduler keeps whole seconds and polls every second, so one gap may be a second short
    # of the interval; a second scheduler enqueueing too would show as two runs at once.
    assert min(gaps) >= INTERVAL - 1.5 and sum(gaps) / len(gaps) >= INTERVAL - 0.5, gaps
    assert {outcome for _, outcome in runs} == {"done"}, runs
    assert stack["scheduler"].alive() and stack["scheduler-2"].alive()
    recoveries["10. two schedulers: seconds between runs (min)"] = min(gaps)
