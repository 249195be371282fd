"""Crafted input from a customer or the provider is a clear 4xx (or is fitted before it reaches
the database), never a 500, and never a 500 after the work was done."""

import json
import logging
import re
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.money import LARGEST_AMOUNT
from tests.support.auth import logged_in_client
from tests.support.bodies import json_body, multipart
from tests.support.orders import insert_orders

CRLF_NEXT = "/orders\r\nSet-Cookie: pwned=1"
HOSTILE_TARGETS = [CRLF_NEXT, "/\t/evil.example", "/x\x00y", "/" + "a" * 3000, "/\x85"]


# The longest values are as long as an address may be (app/long_addresses.py; longer: a 414).
@pytest.mark.parametrize("page", ["²", "½", "٣", "1²", "9" * 4000, " 2", "2\n", "0x10", "-3"])
def test_odd_page_numbers_show_the_first_page(client, logged_in, page):
    for headers in ({}, {"HX-Request": "true", "HX-Target": "orders-table"}):
        query = {"page": page, "status": "\x00"}
        assert client.get("/", query_string=query, headers=headers).status_code == 200


def test_a_search_with_nul_or_no_end_searches_what_it_can(client, draft):
    for search in ("\x00", "\x00" * 50 + "Logo\x00", "q" * 4000, "½²"):
        response = client.get("/", query_string={"q": search, "page": "²"})
        assert response.status_code == 200


FORM_SHAPES = [
    ("email as a file", multipart([("email", "a@b.c", "e.txt"), ("password", "x", None)]), 400),
    ("JSON number email", json_body({"email": 123, "password": "qwe123"}), 415),
    ("JSON array", json_body([1, 2]), 415),
    ("JSON null password", json_body({"email": "test@gmail.com", "password": None}), 415),
]


@pytest.mark.parametrize("label,body,code", FORM_SHAPES)
def test_a_login_in_another_shape_is_a_clear_4xx(client, user, label, body, code):
    response = client.post("/login", **body)
    assert response.status_code == code
    assert "Wrong email or password" not in response.get_data(as_text=True)


@pytest.mark.parametrize("label,body,code", FORM_SHAPES)
def test_a_password_change_in_another_shape_changes_nothing(client, logged_in, label, body, code):
    before = logged_in.password_hash
    assert client.post("/account/password", **body).status_code == code
    db.session.refresh(logged_in)
    assert logged_in.password_hash == before


CONSOLE_ODD_VALUES = {
    "page": ["²", "½", "٣", "\x00", "9" * 4000, "-1", " 2", "0x10", "1e9"],
    "customer": ["\x00", "\x00" * 300, "a\x00b", "%", "_", "\\", "x" * 4000, "😀" * 300],
    "status": ["\x00", "nonsense", "²", "draft\x00", "x" * 4000],
    "age": ["\x00", "gt1d\x00", "lt1h ", "x" * 4000],
}
ALL_ORDERS = re.compile(r'All orders <span class="count">(\d+)</span>')


@pytest.mark.parametrize(
    "name,value", [(name, v) for name, values in CONSOLE_ODD_VALUES.items() for v in values]
)
def test_the_consoles_filters_take_any_value(operator_client, user, name, value):
    insert_orders(user.id, 3)
    for headers in ({}, {"HX-Request": "true", "HX-Target": "ops-orders"}):
        response = operator_client.get("/ops/", query_string={name: value}, headers=headers)
        assert response.status_code == 200
    shown = int(ALL_ORDERS.search(response.get_data(as_text=True)).group(1))
    if value.strip("\x00") == "" or name in ("page", "status", "age"):
        assert shown == 3  # no filter, or the first page of every order


def test_a_query_string_that_is_not_utf8_is_a_400(client, logged_in):
    response = client.get("/", environ_overrides={"QUERY_STRING": "page=\xff\xfe"})
    assert response.status_code == 400
    assert b"not UTF-8" in response.data
    russian = client.get(
        "/", environ_overrides={"QUERY_STRING": "page=\xff\xfe"}, headers={"Accept-Language": "ru"}
    )
    assert russian.status_code == 400
    assert "В адресе есть символы не в кодировке UTF-8." in russian.get_data(as_text=True)


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_login_ignores_a_next_that_is_not_a_plain_local_path(client, user, target):
    data = {"email": user.email, "password": "qwe123"}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "pwned" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_deleting_with_a_hostile_next_deletes_once_and_answers(client, draft, target):
    response = client.post(f"/orders/{draft.id}/delete", data={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_sending_and_cancelling_with_a_hostile_next_answer_after_the_work(client, draft):
    sent = client.post(f"/orders/{draft.id}/send", data={"next": CRLF_NEXT})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/orders/{draft.id}"
    db.session.refresh(draft)
    assert draft.status == OrderStatus.SENDING
    cancelled = client.post(f"/orders/{draft.id}/cancel", data={"next": CRLF_NEXT})
    assert cancelled.status_code == 303


def hostile_item(name: str = "Fine", money: str = "10.00", **fields) -> dict:
    item = {"uuid": str(uuid.uuid4()), "name": name, "price": money, "tax": "0", "gross": money}
    return {**item, **fields}


@pytest.fixture
def catalog_warnings(caplog):
    caplog.set_level(logging.WARNING, logger="app.catalog.client")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "app.catalog.client"]


def test_provider_text_is_fitted_to_the_database_with_one_warning_per_item(
    client, logged_in, sandbox, catalog_warnings
):
    long_name, nul_name = hostile_item("N" * 300), hostile_item("Bad\x00name", description="a\x00")
    wide = hostile_item(image="https://img.example/" + "i" * 3000, updated_at="2026" * 100)
    sandbox.serve_catalog_page([long_name, nul_name, wide, hostile_item()])
    chosen = [long_name["uuid"], nul_name["uuid"], wide["uuid"]]
    response = client.post("/orders/new", data={"services": chosen})
    assert response.status_code == 303
    names = db.session.scalars(select(OrderItem.name).order_by(OrderItem.position)).all()
    assert names == ["N" * 255, "Badname", "Fine"]
    assert db.session.scalar(select(OrderItem.image).where(OrderItem.position == 2)) is None
    warnings = catalog_warnings()
    assert len(warnings) == 3
    assert "name clipped to 255 characters" in warnings[0]
    assert (
        "NUL characters removed from name; NUL characters removed from description" in (warnings[1])
    )


@pytest.mark.parametrize("money", ["10000000000", "9999999999.995", "1e12", "1e-999999"])
def test_provider_money_that_no_order_can_hold_is_skipped(client, logged_in, sandbox, money):
    big = hostile_item(money=money)
    sandbox.serve_catalog_page([big, hostile_item()])
    response = client.post("/orders/new", data={"services": [big["uuid"]]})
    assert response.status_code == 422
    assert b"not in the catalog" in response.data
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_totals_that_would_overflow_are_a_422_that_says_why(client, logged_in, sandbox):
    huge = [hostile_item(money=str(LARGEST_AMOUNT)) for _ in range(2)]
    sandbox.serve_catalog_page(huge)
    response = client.post("/orders/new", data={"services": [i["uuid"] for i in huge]})
    assert response.status_code == 422
    assert "more than one order can hold" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    alone = client.post("/orders/new", data={"services": [huge[0]["uuid"]]})
    assert alone.status_code == 303


def test_editing_into_overflowing_totals_is_a_422_and_keeps_the_draft(client, logged_in, sandbox):
    huge = [hostile_item(money=str(LARGEST_AMOUNT)) for _ in range(2)]
    sandbox.serve_catalog_page(huge)
    created = client.post("/orders/new", data={"services": [huge[0]["uuid"]]})
    edit_url = created.headers["Location"] + "/edit"
    response = client.post(edit_url, data={"services": [i["uuid"] for i in huge]})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OrderItem)) == 1


def test_requests_that_never_read_the_event_stream_give_back_its_slot(make_app, user):
    app = make_app(LIVE_MAX_STREAMS=2)
    client = logged_in_client(app)
    for _ in range(3):  # each closed unread, as a server closes them
        head = client.head("/orders/events")
        assert head.status_code == 200
        head.close()
        client.get("/orders/events").close()  # the client left before the first event
    response = client.get("/orders/events")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    response.close()


def test_a_rejection_reason_with_nul_characters_is_stored_without_them(
    client, draft, run_jobs, sandbox
):
    reason = json.dumps({"message": "Refused\x00: " + "r" * 1000})
    sandbox.add_faults("order_create", {"status": 422, "body": reason})
    client.post(f"/orders/{draft.id}/send")
    run_jobs()
    db.session.expire_all()
    order = db.session.get(Order, draft.id)
    assert order.status == OrderStatus.DRAFT
    assert "\x00" not in order.status_reason and "Refused: rrr" in order.status_reason
