"""The catalog client against the sandbox over HTTP: every page, lenient items, strict pages."""

import dataclasses
import logging
import uuid
from decimal import Decimal

import pytest

from app.catalog.client import InvalidItem, catalog_http, fetch_catalog, parse_item
from app.provider_http import ProviderError
from sandbox.catalog import build_catalog

SEO_UUID = "58d230b1-1114-57bc-af31-f67b73b0d64d"


@pytest.fixture
def catalog_log(caplog):
    """The client's log."""
    caplog.set_level(logging.WARNING, logger="app.catalog.client")
    return caplog


def item(**fields):
    base = {"uuid": str(uuid.uuid4()), "name": "Service", "price": 10, "tax": "2.20", "gross": 12.2}
    return {**base, **fields}


def test_reads_all_45_services_over_3_pages(app, sandbox):
    services = fetch_catalog()
    assert len(services) == 45
    assert len({s.uuid for s in services}) == 45
    assert sandbox.stats()["catalog"] == 3


def test_services_match_the_sandbox_exactly(app, sandbox):
    expected = build_catalog(45)
    services = fetch_catalog()
    for want, got in zip(expected, services, strict=True):
        described = want.index % 10 != 9
        assert got.uuid == want.uuid and got.name == want.name
        assert (got.price, got.tax, got.gross) == (want.price, want.tax, want.gross)
        assert all(isinstance(v, Decimal) for v in (got.price, got.tax, got.gross))
        assert got.description == (want.description if described else None)
        assert (got.image is not None) == (described and want.icon is not None)
        assert got.updated_at == want.updated_at


def test_the_sandbox_really_sends_nulls_strings_and_floats(app, sandbox):
    services = fetch_catalog()
    assert any(s.description is None for s in services)
    assert any(s.image is None for s in services)
    assert any(s.updated_at is None for s in services)
    assert Decimal("64.35") in {s.price for s in services}  # sent as a float
    assert Decimal("49.90") in {s.price for s in services}  # sent as the string "49.90"


def test_malformed_items_are_skipped_and_logged(app, sandbox, catalog_log):
    sandbox.set_knobs(catalog_malformed=1)
    services = fetch_catalog()
    assert len(services) == 45
    skipped = [r for r in catalog_log.records if "skipped" in r.getMessage()]
    assert len(skipped) == 3
    assert {"Bad uuid", "Bad price", "No uuid here"}.isdisjoint(s.name for s in services)


def test_money_is_exact_from_strings_floats_and_long_decimals(app, sandbox):
    money = '"price": 0.1, "tax": "0.022", "gross": 12.345678901234567890123'
    pagination = '"pagination": {"page": 1, "pageSize": 20, "totalCount": 1}'
    body = f'{{"data": [{{"uuid": "{SEO_UUID}", "name": "Exact", {money}}}], {pagination}}}'
    sandbox.add_faults("catalog", {"status": 200, "body": body})
    [service] = fetch_catalog()
    assert service.price == Decimal("0.1")
    assert service.tax == Decimal("0.022")
    assert service.gross == Decimal("12.345678901234567890123")


def test_nulls_and_missing_fields_are_accepted(app, sandbox):
    sandbox.serve_catalog_page(
        [
            item(description=None, image=None),
            {"uuid": SEO_UUID.upper(), "name": "Bare", "price": 1, "tax": 0, "gross": 1},
        ],
    )
    first, bare = fetch_catalog()
    assert first.description is None and first.image is None
    assert bare.uuid == SEO_UUID and bare.updated_at is None and bare.description is None


def test_only_web_images_are_kept(app, sandbox):
    images = [
        "javascript:alert(1)",
        "data:image/svg+xml,<svg/>",
        "//host/x.png",
        "https://host/x.png",
    ]
    sandbox.serve_catalog_page([item(image=url) for url in images])
    assert [s.image for s in fetch_catalog()] == [None, None, None, "https://host/x.png"]


def test_a_uuid_seen_twice_keeps_its_first_record(app, sandbox):
    sandbox.serve_catalog_page(
        [item(uuid=SEO_UUID, name="First"), item(uuid=SEO_UUID, name="Again")]
    )
    assert [s.name for s in fetch_catalog()] == ["First"]


def test_max_pages_bounds_the_reads(make_app, sandbox):
    with make_app(CATALOG_MAX_PAGES=2).app_context():
        assert len(fetch_catalog()) == 40
    assert sandbox.stats()["catalog"] == 2


def test_an_empty_catalog_is_one_request(app, sandbox):
    sandbox.serve_catalog_page([], total=0)
    assert fetch_catalog() == []
    assert sandbox.stats()["catalog"] == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 503, "body": "{}"},
        {"status": 200, "body": "<html>", "mimetype": "text/html"},
        {"status": 200, "body": '{"items": []}'},
        {"status": 200, "body": "[1, 2]"},
        {"status": 200, "body": '{"data": [], "pagination": {"pageSize": 0, "totalCount": 5}}'},
        {"status": 200, "body": '{"data": []}'},
    ],
)
def test_bad_answers_raise_a_provider_error(app, sandbox, fault):
    sandbox.add_faults("catalog", fault)
    with pytest.raises(ProviderError):
        fetch_catalog()


def test_a_failing_later_page_fails_the_whole_read(app, sandbox):
    # Pages 2 and 3 are read at the same time, so either may meet the fault first.
    sandbox.add_faults("catalog", {}, {"status": 500})
    with pytest.raises(ProviderError, match="HTTP 500") as caught:
        fetch_catalog()
    assert caught.value.kind == "server_error" and sandbox.stats()["catalog"] == 3


def test_a_wrong_token_is_a_refusal(make_app, sandbox):
    with (
        make_app(CATALOG_SERVICES_API_TOKEN="wrong").app_context(),
        pytest.raises(ProviderError, match="401") as caught,
    ):
        fetch_catalog()
    assert caught.value.kind == "rejected"


def test_an_unreachable_provider_is_a_connection_error(make_app):
    with (
        make_app(CATALOG_SERVICES_BASE_URL="http://127.0.0.1:1").app_context(),
        pytest.raises(ProviderError) as caught,
    ):
        fetch_catalog()
    assert caught.value.kind == "connection"


def test_one_session_per_app_created_on_first_use(app, make_app):
    http = catalog_http()
    assert catalog_http() is http
    assert http.session.headers["Authorization"] == "Bearer sandbox-catalog-token"
    assert http.session.headers["Accept"] == "application/json"
    assert not http.session.trust_env
    with make_app().app_context():
        assert catalog_http() is not http


@pytest.mark.parametrize(
    "bad",
    [
        "not an object",
        {"name": "No uuid", "price": 1, "tax": 0, "gross": 1},
        {"uuid": 12345, "name": "Number uuid", "price": 1, "tax": 0, "gross": 1},
        {"uuid": SEO_UUID, "name": "  ", "price": 1, "tax": 0, "gross": 1},
        {"uuid": SEO_UUID, "name": "No gross", "price": 1, "tax": 0},
    ],
)
def test_parse_item_refuses_unusable_items(bad):
    with pytest.raises(InvalidItem):
        parse_item(bad)


def test_records_are_immutable_with_canonical_uuids():
    service = parse_item(
        item(uuid="{" + SEO_UUID.upper() + "}", description="  ", name=" Trimmed ")
    )
    assert service.uuid == SEO_UUID and service.name == "Trimmed" and service.description is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        service.price = Decimal("0")
    assert parse_item(service.to_dict()) == service
