"""The catalog through a Redis outage, on the web process as the Procfile starts it (gunicorn,
two gevent workers) with Redis behind a fault proxy and the sandbox provider over HTTP: each
process answers from its own copy, reads the provider at most once per CATALOG_RETRY_SECONDS,
and readers with no copy share that one read."""

import math
import time
from collections import Counter

import pytest
import requests

from app.catalog.store import LOCK_KEY
from app.extensions import get_redis
from tests.support.auth import login_over_http
from tests.support.processes import closed_port, process_environment
from tests.support.together import run_together
from tests.support.waiting import wait_until
from tests.support.web_process import ARTIFACTS, serve, web_command

PROCESSES = 2  # the Procfile's default WEB_CONCURRENCY
PAGES = 3  # the sandbox's catalog: 45 services, 15 to a page
CACHE_SECONDS = 1  # the copies age quickly, so the outage needs fetches
RETRY_SECONDS = 2
CUSTOMERS = 6
OUTAGE_SECONDS = 6
PATHS = ("/catalog", "/orders/new")


@pytest.fixture
def web(app, user, redis_proxy):
    """The Procfile's web command, reaching Redis through `redis_proxy`."""
    env = {
        **process_environment(app.config),
        "REDIS_URL": redis_proxy.url(app.config["REDIS_URL"]),
        "WEB_CONCURRENCY": str(PROCESSES),
        "CATALOG_CACHE_SECONDS": str(CACHE_SECONDS),
        "CATALOG_RETRY_SECONDS": str(RETRY_SECONDS),
    }
    with serve(web_command(closed_port()), env, "web-redis-outage", ARTIFACTS) as server:
        yield server


def browse(url: str, cookie: str, seconds: float) -> Counter:
    """Load the catalog and the new-order page, one after the other, for `seconds`; the
    statuses answered."""
    session = requests.Session()
    session.headers["Cookie"] = cookie
    statuses: Counter = Counter()
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        for path in PATHS:
            statuses[session.get(url + path, timeout=10).status_code] += 1
    return statuses


def no_refresh_under_way(app) -> bool:
    return not get_redis().exists(app.config["CACHE_KEY_PREFIX"] + LOCK_KEY)


def test_a_redis_cut_costs_one_catalog_read_per_process_per_retry_interval(
    app, web, redis_proxy, sandbox
):
    cookie = login_over_http(web.url)
    assert set(browse(web.url, cookie, 1)) == {200}
    wait_until(lambda: no_refresh_under_way(app), seconds=10)
    before = sandbox.stats()["catalog"]

    redis_proxy.cut()
    cut_at = time.monotonic()
    answers, errors = run_together(CUSTOMERS, lambda: browse(web.url, cookie, OUTAGE_SECONDS))
    read = sandbox.stats()["catalog"] - before
    elapsed = time.monotonic() - cut_at

    statuses = sum(answers, Counter())
    bound = PROCESSES * (PAGES * math.ceil(elapsed / RETRY_SECONDS) + PAGES)
    print(f"Redis cut {elapsed:.1f} s: {statuses.total()} pages served, {read} catalog pages read")
    assert errors == [] and set(statuses) == {200}, (errors, statuses)
    assert read <= bound, f"{read} catalog pages read in {elapsed:.1f} s; at most {bound}"


def test_with_redis_cut_readers_with_no_copy_share_one_read_per_process(web, redis_proxy, sandbox):
    cookie = login_over_http(web.url)
    sandbox.set_knobs(latency_ms=300)  # the readers arrive while the first read is under way
    redis_proxy.cut()
    before = sandbox.stats()["catalog"]

    def load_catalog() -> int:
        return requests.get(
            web.url + "/catalog", headers={"Cookie": cookie}, timeout=10
        ).status_code

    readers = 4 * CUSTOMERS
    statuses, errors = run_together(readers, load_catalog)
    read = sandbox.stats()["catalog"] - before
    print(f"{readers} readers with no copy and Redis cut: {read} catalog pages read")
    assert errors == [] and statuses == [200] * readers, (errors, statuses)
    assert read <= PAGES * PROCESSES
