"""Each process's own copy of the catalog, on real Redis (cut behind a fault proxy, or an
address nothing listens on) and the sandbox over HTTP: what a reader gets while Redis cannot
answer, and how seldom the provider is asked."""

import time

import pytest

from app.catalog.service import (
    MEMORY_KEY,
    CatalogUnavailable,
    get_catalog,
    wait_for_background_refresh,
)
from tests.support.together import run_together
from tests.support.waiting import wait_until
from tests.test_catalog_service import GIVEN_UP_WITHIN, READ_TIMEOUT, SLOW_PAGES

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_a_copy_read_from_redis_answers_through_a_redis_cut(app, make_app, redis_proxy, sandbox):
    get_catalog()  # another process fetched it into Redis
    proxied = make_app(REDIS_URL=redis_proxy.url(app.config["REDIS_URL"]))
    with proxied.app_context():
        shared = get_catalog()
        redis_proxy.cut()
        assert [get_catalog() for _ in range(5)] == [shared] * 5
    assert sandbox.stats()["catalog"] == 3


def test_with_redis_down_readers_with_no_copy_share_one_fetch(make_app, sandbox):
    app = make_app(REDIS_URL=DEAD_REDIS)
    sandbox.set_knobs(latency_ms=100)
    results, errors = run_together(30, get_catalog, app)
    assert errors == [] and len(results) == 30
    assert len({r.fetched_at for r in results}) == 1 and len(results[0].services) == 45
    assert sandbox.stats()["catalog"] == 3


def test_with_redis_down_an_aged_copy_is_shown_stale_and_fetched_once_per_retry(make_app, sandbox):
    app = make_app(REDIS_URL=DEAD_REDIS, CATALOG_CACHE_SECONDS=1, CATALOG_RETRY_SECONDS=2)
    with app.app_context():
        started = time.monotonic()
        first = get_catalog()
        answers = []

        def newer_copy():
            answers.append(get_catalog())
            return answers[-1].fetched_at > first.fetched_at

        wait_until(newer_copy, seconds=10, step=0.05)
        assert time.monotonic() - started >= 2  # not before the retry interval
        assert any(answer.stale for answer in answers) and not answers[-1].stale
        assert sandbox.stats()["catalog"] == 6


def test_with_redis_down_a_failed_fetch_leaves_the_provider_alone(make_app, sandbox):
    app = make_app(REDIS_URL=DEAD_REDIS)
    sandbox.add_faults("catalog", {"delay": 0.3, "status": 500})
    results, errors = run_together(10, get_catalog, app)
    assert results == [] and len(errors) == 10
    assert all(isinstance(error, CatalogUnavailable) for error in errors)
    with app.app_context(), pytest.raises(CatalogUnavailable, match="could not be read"):
        get_catalog()
    assert sandbox.stats()["catalog"] == 1


def test_with_redis_down_a_slow_first_copy_is_waited_for_only_up_to_the_read_timeout(
    make_app, sandbox
):
    app = make_app(REDIS_URL=DEAD_REDIS, HTTP_READ_TIMEOUT=READ_TIMEOUT)
    with app.app_context():
        sandbox.add_faults("catalog", *SLOW_PAGES)
        started = time.monotonic()
        with pytest.raises(CatalogUnavailable, match="did not arrive within 3 s"):
            get_catalog()
        assert time.monotonic() - started < GIVEN_UP_WITHIN
        wait_for_background_refresh(app)
        assert len(get_catalog().services) == 45
    assert sandbox.stats()["catalog"] == 3


def test_the_memory_is_made_on_first_use_one_per_app(make_app, sandbox):
    first, second = make_app(REDIS_URL=DEAD_REDIS), make_app(REDIS_URL=DEAD_REDIS)
    assert MEMORY_KEY not in first.extensions
    for app in (first, second):
        with app.app_context():
            get_catalog()
    assert first.extensions[MEMORY_KEY] is not second.extensions[MEMORY_KEY]
    assert sandbox.stats()["catalog"] == 6
