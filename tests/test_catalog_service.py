"""Cached catalog reads on real Redis and the sandbox: stale copies, single flight, outages."""

import time
import uuid

import pytest
import redis

from app.catalog.client import fetch_catalog
from app.catalog.service import (
    CatalogUnavailable,
    find_services,
    get_catalog,
    refresh_catalog,
    refresh_in_background,
    wait_for_background_refresh,
)
from app.catalog.store import FAILED_KEY, FRESH_KEY, STALE_KEY, CatalogStore
from app.extensions import cache, get_redis
from sandbox.catalog import build_catalog
from tests.support.together import run_together
from tests.support.waiting import wait_until

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_PROVIDER = "http://127.0.0.1:1"
# A first copy slower than the read timeout, each of its pages well within it: page 1, then
# pages 2 and 3 together, 2.2 s each. A reader gives up after the timeout (3 s), with time to
# spare on a busy machine, and long before the whole copy (4.4 s at least) arrives.
READ_TIMEOUT, SLOW_PAGES, GIVEN_UP_WITHIN = 3.0, [{"delay": 2.2}, {"delay": 2.2}], 4.3


def expire_fresh_copy() -> None:
    cache.delete(FRESH_KEY)


def test_a_second_read_makes_no_provider_request(app, sandbox):
    first = get_catalog()
    second = get_catalog()
    assert len(first.services) == 45 and second == first
    assert not first.stale and first.fetched_at.utcoffset().total_seconds() == 0
    assert sandbox.stats()["catalog"] == 3


def test_the_cached_copy_is_json(app, sandbox):
    get_catalog()
    text = cache.get(FRESH_KEY)
    assert text.startswith('{"fetched_at": ') and '"price": "49.90"' in text


@pytest.mark.parametrize(
    "garbage",
    [b"!not a pickle", b"\x00\xff", b"{}"],
)
def test_a_malformed_raw_cache_entry_is_a_miss(app, sandbox, garbage):
    get_redis().set(app.config["CACHE_KEY_PREFIX"] + FRESH_KEY, garbage)
    assert len(get_catalog().services) == 45
    assert sandbox.stats()["catalog"] == 3


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '{"fetched_at": "2026-01-01T00:00:00", "services": []}',
        '{"fetched_at": "2026-01-01T00:00:00+00:00", "services": [{"uuid": "x"}]}',
    ],
)
def test_a_malformed_cached_copy_is_a_miss(app, sandbox, text):
    cache.set(FRESH_KEY, text)
    assert len(get_catalog().services) == 45
    assert sandbox.stats()["catalog"] == 3


def test_an_expired_copy_is_served_while_it_is_fetched_again(make_app, sandbox):
    app = make_app(CATALOG_CACHE_SECONDS=1)
    with app.app_context():
        first = get_catalog()
        wait_until(lambda: cache.get(FRESH_KEY) is None, seconds=30)
        assert get_catalog() == first  # the expired copy, at once, not marked stale
        wait_for_background_refresh(app)
        assert get_catalog().fetched_at > first.fetched_at
    assert sandbox.stats()["catalog"] == 6


def test_a_slow_provider_never_holds_a_reader_of_an_expired_copy(make_app, sandbox):
    app = make_app(HTTP_READ_TIMEOUT=30)  # the refresh waits for the provider, however long
    with app.app_context():
        kept = get_catalog()
        expire_fresh_copy()
        sandbox.hold("catalog")  # the provider answers nothing until released
        assert get_catalog() == kept  # a reader that waited for the refresh would wait here
        assert app.extensions["catalog_refresh"].is_alive()  # the refresh, still waiting
        sandbox.release("catalog")
        wait_for_background_refresh(app)
        assert get_catalog().fetched_at > kept.fetched_at


def test_provider_down_serves_the_stale_copy_and_rests(app, sandbox):
    kept = get_catalog()
    expire_fresh_copy()
    sandbox.add_faults("catalog", {"status": 500})
    assert get_catalog() == kept  # served while the refresh runs
    wait_for_background_refresh(app)
    first = get_catalog()
    again = get_catalog()
    assert first.stale and again.stale
    assert first.services == kept.services and first.fetched_at == kept.fetched_at
    assert sandbox.stats()["catalog"] == 4  # one failed try, then a pause before the next


def test_after_the_pause_a_recovered_provider_is_read(app, sandbox):
    get_catalog()
    expire_fresh_copy()
    sandbox.add_faults("catalog", {"status": 500})
    get_catalog()
    wait_for_background_refresh(app)
    assert get_catalog().stale
    cache.delete(FAILED_KEY)
    get_catalog()
    wait_for_background_refresh(app)
    recovered = get_catalog()
    assert not recovered.stale and len(recovered.services) == 45
    assert cache.get(FAILED_KEY) is None


def test_no_copy_and_provider_down_is_unavailable(app, sandbox):
    sandbox.add_faults("catalog", {"status": 500})
    with pytest.raises(CatalogUnavailable):
        get_catalog()


def test_a_slow_provider_is_cut_off_by_the_read_timeout(make_app, sandbox):
    with make_app(HTTP_READ_TIMEOUT=0.5).app_context():
        sandbox.add_faults("catalog", {"delay": 3})
        started = time.monotonic()
        with pytest.raises(CatalogUnavailable):
            get_catalog()
        assert time.monotonic() - started < 2


def test_a_first_copy_slower_than_the_read_timeout_arrives_for_the_next_reader(make_app, sandbox):
    app = make_app(HTTP_READ_TIMEOUT=READ_TIMEOUT)
    with app.app_context():
        sandbox.add_faults("catalog", *SLOW_PAGES)
        started = time.monotonic()
        with pytest.raises(CatalogUnavailable, match="did not arrive within 3 s"):
            get_catalog()
        assert time.monotonic() - started < GIVEN_UP_WITHIN
        wait_for_background_refresh(app)
        assert len(get_catalog().services) == 45
    assert sandbox.stats()["catalog"] == 3


def test_the_pages_after_the_first_are_read_at_the_same_time(app, sandbox):
    sandbox.set_knobs(request_log=1, latency_ms=300)
    assert len(fetch_catalog()) == 45
    first, *others = [request["t"] for request in sandbox.requests("catalog")]
    assert len(others) == 2 and all(t - first >= 0.3 for t in others)
    assert max(others) - min(others) < 0.2  # both went out before either was answered


def test_redis_down_reads_the_provider_once_and_answers_from_memory(make_app, sandbox):
    with make_app(REDIS_URL=DEAD_REDIS).app_context():
        first = get_catalog()
        assert len(first.services) == 45 and get_catalog() == first
        assert sandbox.stats()["catalog"] == 3
        assert len(refresh_catalog().services) == 45  # asked for: always read
    assert sandbox.stats()["catalog"] == 6


def test_fifty_readers_at_expiry_cause_one_fetch(app, sandbox):
    get_catalog()
    expire_fresh_copy()
    sandbox.set_knobs(latency_ms=50)
    before = sandbox.stats()["catalog"]
    results, errors = run_together(50, get_catalog, app)
    assert errors == [] and len(results) == 50
    assert all(len(r.services) == 45 and not r.stale for r in results)
    wait_for_background_refresh(app)
    assert sandbox.stats()["catalog"] - before == 3


def test_fifty_readers_of_an_empty_cache_wait_for_one_fetch(app, sandbox):
    sandbox.set_knobs(latency_ms=50)
    results, errors = run_together(50, get_catalog, app)
    assert errors == [] and len(results) == 50
    assert sandbox.stats()["catalog"] == 3
    assert len({r.fetched_at for r in results}) == 1


def test_a_reader_that_looked_before_a_fetch_finished_starts_no_second_one(app, sandbox):
    get_catalog()  # the fetch that finished
    before = sandbox.stats()["catalog"]
    refresh_in_background(CatalogStore())  # a reader that saw no fresh copy just before
    wait_for_background_refresh(app)
    assert sandbox.stats()["catalog"] == before


def test_readers_waiting_for_a_failed_first_fetch_get_unavailable(app, sandbox):
    sandbox.add_faults("catalog", {"delay": 0.3, "status": 500})
    results, errors = run_together(10, get_catalog, app)
    assert results == [] and len(errors) == 10
    assert all(isinstance(e, CatalogUnavailable) for e in errors)
    assert sandbox.stats()["catalog"] == 1


def test_refresh_fetches_even_when_fresh(app, sandbox):
    first = get_catalog()
    refreshed = refresh_catalog()
    assert refreshed.fetched_at > first.fetched_at
    assert get_catalog() == refreshed
    assert cache.get(STALE_KEY) == cache.get(FRESH_KEY)
    assert sandbox.stats()["catalog"] == 6


def test_refresh_reports_a_failure_even_with_a_copy(app, sandbox):
    kept = get_catalog()
    sandbox.add_faults("catalog", {"status": 500})
    with pytest.raises(CatalogUnavailable):
        refresh_catalog()
    assert get_catalog() == kept


def test_find_services_returns_those_the_catalog_has(app, sandbox):
    first, second = build_catalog(2)
    unknown = str(uuid.uuid4())
    wanted = [first.uuid.upper(), uuid.UUID(second.uuid), unknown, "nope", None, first.uuid]
    found = find_services(wanted)
    assert list(found) == [first.uuid, second.uuid]
    assert found[first.uuid].price == first.price and found[second.uuid].name == second.name


def test_search_matches_every_word_in_name_or_description(app, sandbox):
    snapshot = get_catalog()
    assert [s.name for s in snapshot.search("LOGO pro")] == ["Logo design — Pro"]
    expected = [
        s.uuid
        for s in build_catalog(45)
        if s.index % 10 != 9 and "10 days" in (s.description or "")
    ]
    assert [s.uuid for s in snapshot.search("10 DAYS")] == expected and expected
    assert snapshot.search("") == snapshot.services
    assert snapshot.search("zzz") == ()


def test_catalog_refresh_command(app, runner, sandbox):
    result = runner.invoke(args=["catalog-refresh"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Read 45 services in ") and result.output.endswith(" s\n")
    assert sandbox.stats()["catalog"] == 3
    assert cache.get(FRESH_KEY) is not None


def test_catalog_refresh_command_fails_clearly(app, runner, sandbox):
    sandbox.add_faults("catalog", {"status": 500})
    result = runner.invoke(args=["catalog-refresh"])
    assert result.exit_code == 1
    assert "could not be read" in result.output and "HTTP 500" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_failure_mark_does_not_outlive_its_pause(app, sandbox):
    sandbox.add_faults("catalog", {"status": 500})
    with pytest.raises(CatalogUnavailable):
        get_catalog()
    ttl = get_redis().ttl(app.config["CACHE_KEY_PREFIX"] + FAILED_KEY)
    assert 0 < ttl <= 30


def test_a_dead_redis_costs_one_attempt_per_read(make_app, sandbox, monkeypatch):
    """After the first Redis error the read skips Redis, so an outage costs one short timeout."""
    commands = []
    execute = redis.Redis.execute_command

    def spy(self, *args, **kwargs):
        commands.append(args[0])
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", spy)
    with make_app(REDIS_URL=DEAD_REDIS).app_context():
        assert len(get_catalog().services) == 45
    assert commands == ["GET"]
