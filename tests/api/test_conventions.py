"""The API's conventions: Idempotency-Key, ETags, problem details in the reader's language, the
rate limit per token, and no 5xx for anything a client can send."""

import json
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiIdempotencyKey, Order


def create(api, services, key, **extra):
    headers = {"Idempotency-Key": key}
    return api.post("/orders", json={"services": [services[0].uuid], **extra}, headers=headers)


def count_orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def test_the_same_key_and_request_replay_the_first_answer(api, services):
    first = create(api, services, "key-1")
    again = create(api, services, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Location"] == first.headers["Location"]
    assert count_orders() == 1


def test_the_same_key_with_another_request_is_a_422(api, services):
    create(api, services, "key-2")
    response = create(api, services, "key-2", send=True)
    assert response.status_code == 422
    assert response.get_json()["code"] == "idempotency_key_reused"
    assert count_orders() == 1


def test_keys_belong_to_one_account(api, make_api, factory, services):
    other = make_api(factory.user(email="other@example.com"))
    mine, theirs = create(api, services, "shared"), create(other, services, "shared")
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


def test_a_key_still_being_handled_is_a_409(api, services, user):
    db.session.add(ApiIdempotencyKey(user_id=user.id, key="busy", request_hash="x"))
    db.session.commit()
    response = create(api, services, "busy")
    assert response.status_code == 409
    assert response.get_json()["code"] == "idempotency_key_in_use"
    assert response.headers["Retry-After"] == "1"
    assert count_orders() == 0


def test_two_requests_racing_with_one_key_make_one_order(app, api, services):
    barrier, answers = threading.Barrier(2), []

    def post():
        barrier.wait()
        with app.app_context():
            answers.append(create(api, services, "race").status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) in ([201, 201], [201, 409])
    assert count_orders() == 1


def test_a_lost_first_request_frees_its_key_after_the_lease(make_app, make_api, user, services):
    app = make_app(API_IDEMPOTENCY_LEASE_SECONDS=0)
    with app.app_context():
        db.session.add(ApiIdempotencyKey(user_id=user.id, key="lost", request_hash="x"))
        db.session.commit()
    from app.api.document import document
    from app.api.tokens import create_token
    from tests.api.conftest import ApiClient
    from tests.api.document_check import DocumentCheck

    with app.app_context():
        _, secret = create_token(user.id, "t", "read write")
        api = ApiClient(app.test_client(), DocumentCheck(document()), secret)
        assert create(api, services, "lost").status_code == 201


def test_a_malformed_key_is_refused(api, services):
    response = create(api, services, "x" * 256)
    assert response.status_code in (400, 422)
    response = create(api, services, "tab\there")
    assert response.status_code == 400 and response.get_json()["code"] == "invalid_idempotency_key"


def test_every_get_has_an_etag_and_answers_304_when_unchanged(api, services):
    order_id = create(api, services, "k").get_json()["id"]
    for path in (
        "/orders",
        f"/orders/{order_id}",
        f"/orders/{order_id}/events",
        "/catalog/services",
    ):
        first = api.get(path)
        tag = first.headers["ETag"]
        again = api.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.headers["ETag"] == tag, path
        assert api.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    before = api.get(f"/orders/{order_id}").headers["ETag"]
    api.patch(f"/orders/{order_id}", json={"services": [services[1].uuid]})
    assert api.get(f"/orders/{order_id}", headers={"If-None-Match": before}).status_code == 200


@pytest.mark.parametrize(
    "language,detail",
    [
        ("ru", "Нет такого заказа, или он не ваш."),
        ("en", "There is no such order, or it is not yours."),
        ("ru-RU,ru;q=0.9,en;q=0.5", "Нет такого заказа, или он не ваш."),
    ],
)
def test_problems_speak_the_language_asked_for(api, language, detail):
    response = api.get(
        "/orders/00000000-0000-0000-0000-000000000000", headers={"Accept-Language": language}
    )
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["detail"] == detail and problem["code"] == "order_not_found"
    assert problem["status"] == 404 and problem["type"] == "/api/docs#problem-order_not_found"


def test_invalid_fields_are_named_in_russian_too(api):
    response = api.post(
        "/orders", json={"services": "x", "extra": 1}, headers={"Accept-Language": "ru"}
    )
    problem = response.get_json()
    assert response.status_code == 422 and problem["code"] == "invalid_fields"
    assert {e["field"] for e in problem["errors"]} == {"services", "extra"}
    assert problem["detail"].startswith("Эти поля неверны")


def test_the_rate_limit_counts_per_token(make_app, make_api, user, checker):
    app = make_app(API_RATE_LIMIT="3 per minute")
    from app.api.tokens import create_token
    from tests.api.conftest import ApiClient

    with app.app_context():
        secrets = [create_token(user.id, name, "read")[1] for name in ("a", "b")]
    first, second = (ApiClient(app.test_client(), checker, s) for s in secrets)
    answers = [first.get("/orders") for _ in range(3)]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    refused = first.get("/orders")
    assert refused.status_code == 429 and refused.get_json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert second.get("/orders").status_code == 200


def test_the_api_needs_no_csrf_token_even_where_pages_do(make_app, user, services, checker):
    app = make_app(WTF_CSRF_ENABLED=True)
    from app.api.tokens import create_token
    from tests.api.conftest import ApiClient

    with app.app_context():
        secret = create_token(user.id, "t", "read write")[1]
        api = ApiClient(app.test_client(), checker, secret)
        response = api.post("/orders", json={"services": [services[0].uuid]})
    assert response.status_code == 201


BAD_BODIES = [
    (b"{", "application/json", 400, "invalid_json"),
    (b'{"services": ["\xff"]}', "application/json", 400, "invalid_json"),
    (b'{"services": [NaN]}', "application/json", 400, "invalid_json"),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400, "invalid_json"),
    (b"services=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b"<xml/>", "text/xml", 415, "unsupported_media_type"),
    (b"[]", "application/json", 422, "invalid_fields"),
    (b"null", "application/json", 422, "invalid_fields"),
    (b'{"services": [1e999999]}', "application/json", 422, "invalid_fields"),
    (b'{"services": [123456789012345678901234567890]}', "application/json", 422, "invalid_fields"),
    (b'{"services": ["a"], "send": "maybe"}', "application/json", 422, "invalid_fields"),
    (json.dumps({"services": ["a" * 100000]}).encode(), "application/json", 422, "invalid_fields"),
]


@pytest.mark.parametrize("body,content_type,status,code", BAD_BODIES)
def test_bad_bodies_get_a_clear_4xx_and_change_nothing(api, body, content_type, status, code):
    response = api.post("/orders", data=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == code
    assert count_orders() == 0


def test_bad_addresses_get_problems_not_pages(api, user):
    for path, status in (
        ("/no-such-thing", 404),
        ("/orders/%FF", 404),
        ("/orders?q=%FF", 200),  # read as U+FFFD: searched, found nothing
        ("/orders?" + "q=x&" * 2000, 414),
    ):
        response = api.get(path)
        assert response.status_code == status, path
        assert status == 200 or response.mimetype == "application/problem+json"
    raw = api.request("GET", "/orders", environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
    assert raw.status_code == 400 and raw.get_json()["code"] == "bad_request"
    wrong = api.request("PUT", "/orders")
    assert wrong.status_code == 405 and wrong.get_json()["code"] == "method_not_allowed"
    unknown = api.get("/orders?colour=red")
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "colour"


def test_the_database_down_is_a_503_problem(make_app, user, checker):
    app = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg2://postgres@127.0.0.1:1/none",
        DATABASE_CONNECT_TIMEOUT_SECONDS=0.5,
    )
    from tests.api.conftest import ApiClient

    api = ApiClient(app.test_client(), checker, "ctm_" + "a" * 40)
    response = api.get("/orders")
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"


def test_requests_pass_uncounted_while_redis_is_down(make_app, user, checker, caplog):
    from tests.support.processes import closed_port

    app = make_app(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    from app.api.tokens import create_token
    from tests.api.conftest import ApiClient

    with app.app_context():
        secret = create_token(user.id, "t", "read")[1]
    response = ApiClient(app.test_client(), checker, secret).get("/orders")
    assert response.status_code == 200 and "RateLimit-Remaining" not in response.headers
    assert "API request not counted (Redis)" in caplog.text


def test_a_key_is_forgotten_after_its_day(make_app, user, services, checker):
    app = make_app(API_IDEMPOTENCY_SECONDS=0)
    from app.api.tokens import create_token
    from tests.api.conftest import ApiClient

    with app.app_context():
        api = ApiClient(app.test_client(), checker, create_token(user.id, "t", "read write")[1])
        first, later = create(api, services, "old"), create(api, services, "old")
        assert "Idempotent-Replayed" not in later.headers
        assert first.get_json()["id"] != later.get_json()["id"] and count_orders() == 2
