"""The dashboard table's conditional refresh: an unchanged table answers 304 without a body,
any change to the user's orders (and only theirs) brings the new table, and a table kept from
one session never carries another session's CSRF token."""

import json
import re

from sqlalchemy import delete

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.transitions import transition
from tests.support.auth import logged_in_client
from tests.test_dashboard import row_ids, seed_orders

TABLE = {"HX-Request": "true", "HX-Target": "orders-table"}


def refresh(client, tag: str | None = None, url: str = "/"):
    headers = {**TABLE, "If-None-Match": tag} if tag else TABLE
    return client.get(url, headers=headers)


def statuses(html: str) -> list[str]:
    return re.findall(r'<tr id="order-[^"]+" data-order-id="[^"]+" data-status="([^"]+)"', html)


def test_an_unchanged_table_answers_304_without_a_body(client, logged_in):
    seed_orders(logged_in, 3)
    first = refresh(client)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and len(row_ids(first.get_data(as_text=True))) == 3
    assert "no-cache" in first.headers["Cache-Control"]
    assert "private" in first.headers["Cache-Control"]
    assert "no-store" in first.headers["Cache-Control"]  # the page sends the tag back itself

    again = refresh(client, tag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert "no-store" in again.headers["Cache-Control"]


def test_the_table_sends_its_tag_back_when_it_refreshes(client, logged_in):
    seed_orders(logged_in, 1)
    for response in (refresh(client), client.get("/")):
        html = response.get_data(as_text=True)
        headers = re.search(r"<div id=\"orders-table\"[^>]*hx-headers='([^']+)'", html).group(1)
        assert json.loads(headers) == {"If-None-Match": refresh(client).headers["ETag"]}


def test_a_status_change_brings_the_new_table(client, logged_in):
    [order_id] = seed_orders(logged_in, 1, OrderStatus.IN_PROCESSING)
    tag = refresh(client).headers["ETag"]
    transition(order_id, OrderStatus.IN_PROCESSING, OrderStatus.DONE, "The provider is done")
    db.session.commit()

    changed = refresh(client, tag)
    assert changed.status_code == 200
    assert statuses(changed.get_data(as_text=True)) == ["done"]
    assert changed.headers["ETag"] != tag
    assert refresh(client, changed.headers["ETag"]).status_code == 304


def test_new_and_deleted_orders_bring_the_new_table(client, logged_in):
    [old] = seed_orders(logged_in, 1)
    tag = refresh(client).headers["ETag"]
    [new] = seed_orders(logged_in, 1)
    added = refresh(client, tag)
    assert sorted(row_ids(added.get_data(as_text=True))) == sorted([str(new), str(old)])

    db.session.execute(delete(Order).where(Order.id == new))
    db.session.commit()
    removed = refresh(client, added.headers["ETag"])
    assert removed.status_code == 200 and row_ids(removed.get_data(as_text=True)) == [str(old)]


def test_another_users_change_leaves_my_table_unchanged(client, logged_in, factory):
    seed_orders(logged_in, 2)
    tag = refresh(client).headers["ETag"]
    [theirs] = seed_orders(factory.user(), 1, OrderStatus.IN_PROCESSING)
    transition(theirs, OrderStatus.IN_PROCESSING, OrderStatus.CANCELLED, "Cancelled")
    db.session.commit()
    assert refresh(client, tag).status_code == 304


def test_each_page_and_filter_has_its_own_tag(client, logged_in):
    seed_orders(logged_in, 25)
    tag = refresh(client).headers["ETag"]
    assert refresh(client, tag, "/?page=2").status_code == 200
    assert refresh(client, tag, "/?status=done").status_code == 200


def test_a_table_in_another_language_is_a_new_table(client, logged_in):
    seed_orders(logged_in, 3)
    english = refresh(client)
    client.post("/language", data={"locale": "ru", "next": "/"})
    russian = refresh(client, english.headers["ETag"])
    assert russian.status_code == 200 and russian.headers["ETag"] != english.headers["ETag"]
    assert refresh(client, russian.headers["ETag"]).status_code == 304


def test_a_full_page_is_never_answered_304(client, logged_in):
    seed_orders(logged_in, 1)
    tag = refresh(client).headers["ETag"]
    page = client.get("/", headers={"If-None-Match": tag})
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)


def test_a_kept_table_carries_the_csrf_token_of_the_session_that_reads_it(make_app, user):
    app = make_app()
    seed_orders(user, 2)
    first, second = logged_in_client(app), logged_in_client(app)
    first_page = first.get("/").get_data(as_text=True)  # renders and keeps the table
    second_page = second.get("/").get_data(as_text=True)  # the same table, kept

    def tokens(html: str) -> tuple[str, set[str]]:
        page_token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
        return page_token, set(re.findall(r'name="csrf_token" value="([^"]+)"', html))

    first_token, first_forms = tokens(first_page)
    second_token, second_forms = tokens(second_page)
    assert first_forms == {first_token}
    assert second_forms == {second_token}
    assert first_token != second_token


def test_a_kept_page_still_shows_a_message_waiting_for_it(client, logged_in):
    seed_orders(logged_in, 1)
    assert "Waiting for you" not in client.get("/").get_data(as_text=True)  # drawn and kept
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Waiting for you")]
    assert "Waiting for you" in client.get("/").get_data(as_text=True)
    assert "Waiting for you" not in client.get("/").get_data(as_text=True)  # shown once


def test_a_kept_page_follows_its_readers_role_and_address(client, logged_in):
    seed_orders(logged_in, 1)
    assert 'href="/ops/"' not in client.get("/").get_data(as_text=True)
    logged_in.is_operator = True
    db.session.commit()  # no order changed: the table's tag is the same
    assert 'href="/ops/"' in client.get("/").get_data(as_text=True)
    page = client.get("/?page=1").get_data(as_text=True)
    assert 'name="next" value="/?page=1"' in page
