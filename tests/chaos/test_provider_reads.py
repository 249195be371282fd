"""The provider failing the reads: the status sync through an outage, a 429 and garbage, and
the catalog through garbage and slowness."""

import threading
import time

from tests.chaos.processes import during
from tests.chaos.stack import SETTINGS
from tests.support.waiting import wait_until

INTERVAL = float(SETTINGS["SYNC_INTERVAL_SECONDS"])
READ_TIMEOUT = float(SETTINGS["HTTP_READ_TIMEOUT"])
OUTAGE_RUNS = 4  # the outage spans this many sync intervals
PAGE_OVERHEAD = 0.3  # rendering a page on this shared machine, beyond waiting for the provider


def provider_warnings(log: str) -> list[str]:
    return [
        line
        for line in log.splitlines()
        if " WARNING " in line and ("order service" in line or "provider" in line)
    ]


def finish_everything_at_the_provider(stack) -> None:
    stack.sandbox.set_knobs(processing_seconds=0)


def test_a_provider_outage_during_sync_loses_nothing_and_warns_once(
    stack, customer, orders, services, recoveries
):
    stack.sandbox.set_knobs(processing_seconds=3600)
    order_ids = orders.place(customer, services, 8)
    log_start = stack["worker"].log_size()

    stack.provider_proxy.cut()
    finish_everything_at_the_provider(stack)
    for _ in during(OUTAGE_RUNS * INTERVAL, every=0.5):
        assert customer.get("/").status == 200
        assert set(orders.statuses(order_ids).values()) == {"in_processing"}
    stack.provider_proxy.restore()

    recoveries["4. provider down during sync"] = orders.wait_for(order_ids, "done", 4 * INTERVAL)
    for order_id in order_ids:
        assert orders.events(order_id).count(("in_processing", "done")) == 1
    warnings = provider_warnings(stack["worker"].log_since(log_start))
    assert len(warnings) == 1, "\n".join(warnings)


def test_a_429_on_status_pauses_the_run_as_told(stack, customer, orders, services, recoveries):
    retry_after = 4
    stack.sandbox.add_faults("order_state", {"status": 429, "retry_after": retry_after})
    finish_everything_at_the_provider(stack)
    order_ids = orders.place(customer, services, 3)
    orders.wait_for(order_ids, "done", retry_after + 4 * INTERVAL)

    seen = stack.sandbox.requests("order_state")
    limited = next(r["t"] for r in seen if r.get("fault", {}).get("status") == 429)
    later = [r["t"] for r in seen if r["t"] > limited + 0.5]
    assert later and min(later) >= limited + retry_after - 0.25, (limited, later)
    recoveries["5. 429 with Retry-After on status"] = min(later) - (limited + retry_after)


GARBAGE_JSON = {"status": 200, "body": '{"state": ', "mimetype": "application/json"}
GARBAGE_HTML = {"status": 200, "body": "<html>maintenance</html>", "mimetype": "text/html"}


def test_garbage_status_leaves_the_order_as_it_was(stack, customer, orders, services, recoveries):
    stack.sandbox.add_faults("order_state", GARBAGE_JSON)
    finish_everything_at_the_provider(stack)
    [order_id] = orders.place(customer, services, 1)
    wait_until(
        lambda: orders.row(order_id).last_check_error,
        4 * INTERVAL,
        explain=lambda: "the garbage answer",
    )
    assert orders.events(order_id)[-1] == ("sending", "in_processing")
    assert customer.get(f"/orders/{order_id}").status == 200
    recoveries["6a. garbage JSON from status"] = 0.0


def catalog_keys(stack) -> tuple[str, str]:
    return "ctm:catalog:fresh", "ctm:catalog:stale"


def test_garbage_catalog_shows_the_stale_copy(stack, customer, recoveries):
    assert customer.get("/catalog").status == 200
    fresh, _ = catalog_keys(stack)
    stack.redis.delete(fresh)
    stack.sandbox.add_faults("catalog", *[GARBAGE_HTML] * 5)
    started = time.monotonic()
    wait_until(lambda: "stale-notice" in customer.get("/catalog").body, 10, step=0.2)
    recoveries["6b. garbage from the catalog (stale copy shown)"] = time.monotonic() - started
    page = customer.get("/catalog")
    assert page.status == 200 and page.body.count('class="card service-card"') >= 40


def test_a_slow_catalog_never_holds_a_customer_past_the_read_timeout(stack, customer):
    assert customer.get("/catalog").status == 200
    stack.redis.delete(catalog_keys(stack)[0])
    stack.sandbox.set_knobs(latency_ms=READ_TIMEOUT * 1000 * 0.8)
    answers = [customer.get("/catalog") for _ in range(3)]
    assert all(a.status == 200 for a in answers)
    assert max(a.seconds for a in answers) <= READ_TIMEOUT + PAGE_OVERHEAD, answers


def test_customers_with_no_copy_share_one_catalog_fetch(stack, customer, promises, recoveries):
    stack.redis.delete(*catalog_keys(stack))
    stack.sandbox.set_knobs(latency_ms=READ_TIMEOUT * 1000 * 0.3)
    before = stack.sandbox.stats()["catalog"]
    tabs = [promises.watch_customer(customer.twin()) for _ in range(5)]
    barrier = threading.Barrier(len(tabs))
    answers = []

    def browse(tab):
        barrier.wait()
        answers.append(tab.get("/catalog"))

    threads = [threading.Thread(target=browse, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status for a in answers] == [200] * 5
    assert max(a.seconds for a in answers) <= READ_TIMEOUT + PAGE_OVERHEAD, answers
    assert stack.sandbox.stats()["catalog"] - before == 3  # one fetch of 3 pages
    recoveries["catalog: cold cache, 5 customers, slow provider"] = max(a.seconds for a in answers)
