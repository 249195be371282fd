"""Every order operation through /api/v1, with its error cases, on the pages' own functions."""

import uuid
from decimal import Decimal

from sqlalchemy import select, update

from app.extensions import db
from app.models import Order, OrderStatus, User
from app.money import compute_totals
from app.orders.drafts import create_draft
from tests.support.orders import reload, timeline


def new_order(api, services, *picked, **extra):
    chosen = [services[n].uuid for n in picked or (0,)]
    response = api.post("/orders", json={"services": chosen, **extra})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response


def test_catalog_lists_searches_and_pages_with_exact_money(api, services):
    first = api.get("/catalog/services?limit=2")
    assert first.status_code == 200
    body = first.get_json()
    assert [s["id"] for s in body["data"]] == [s.uuid for s in services[:2]]
    assert body["data"][0]["price"] == f"{services[0].price:f}"
    assert body["data"][0]["currency"] == "RUB"
    second = api.get(f"/catalog/services?limit=2&cursor={body['next_cursor']}").get_json()
    assert [s["id"] for s in second["data"]] == [s.uuid for s in services[2:4]]
    word = services[0].name.split()[0]
    found = api.get(f"/catalog/services?q={word}&limit=100").get_json()["data"]
    assert found and all(
        word.lower() in (s["name"] + (s["description"] or "")).lower() for s in found
    )
    everything = api.get("/catalog/services?limit=100").get_json()
    assert len(everything["data"]) == len(services) and everything["next_cursor"] is None


def test_create_a_draft_with_totals_from_the_pages_code(api, services, user):
    response = new_order(api, services, 0, 1)
    order = response.get_json()
    assert order["status"] == "draft" and order["revision"] == 1
    totals = compute_totals(services[:2])
    assert (order["price"], order["tax"], order["gross"]) == (
        f"{totals.price:f}",
        f"{totals.tax:f}",
        f"{totals.gross:f}",
    )
    assert response.headers["Location"] == f"/api/v1/orders/{order['id']}"
    stored = reload(uuid.UUID(order["id"]))
    assert stored.user_id == user.id and stored.gross == Decimal(order["gross"])
    assert [item["service_id"] for item in order["items"]] == [s.uuid for s in services[:2]]


def test_create_and_send_at_once(api, services, run_jobs, sandbox):
    order = new_order(api, services, 0, send=True).get_json()
    assert order["status"] == "sending"
    run_jobs()
    assert api.get(f"/orders/{order['id']}").get_json()["status"] == "in_processing"
    assert sandbox.stats()["orders_registered"] == 1


def test_services_that_cannot_make_an_order_are_named(api, services):
    for services_sent, code in (
        (["not-a-uuid"], "invalid_services"),
        ([str(uuid.uuid4())], "invalid_services"),
        ([], "invalid_fields"),
        ([services[0].uuid] * 201, "invalid_fields"),
        ("a string", "invalid_fields"),
    ):
        response = api.post("/orders", json={"services": services_sent})
        assert response.status_code == 422, services_sent
        problem = response.get_json()
        assert problem["code"] == code
        assert problem["errors"][0]["field"].startswith("services")
    assert db.session.query(Order).count() == 0


def test_get_an_order_and_its_timeline(api, services, run_jobs):
    order = new_order(api, services, 0, send=True).get_json()
    run_jobs()
    got = api.get(f"/orders/{order['id']}")
    assert got.status_code == 200 and got.get_json()["provider_order_id"]
    events = api.get(f"/orders/{order['id']}/events").get_json()["data"]
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "draft"),
        ("draft", "sending"),
        ("sending", "in_processing"),
    ]


def test_unknown_and_other_peoples_orders_are_not_found(api, services, factory, make_api):
    other = make_api(factory.user(email="other@example.com"))
    theirs = new_order(other, services).get_json()["id"]
    for path in (f"/orders/{theirs}", f"/orders/{uuid.uuid4()}", f"/orders/{theirs}/events"):
        response = api.get(path)
        assert response.status_code == 404 and response.get_json()["code"] == "order_not_found"
    assert api.post(f"/orders/{theirs}/send").status_code == 404
    assert api.post(f"/orders/{theirs}/cancel").status_code == 404
    assert api.delete(f"/orders/{theirs}").status_code == 404
    edit = api.patch(f"/orders/{theirs}", json={"services": [services[1].uuid]})
    assert edit.status_code == 404
    assert api.get("/orders").get_json()["data"] == []
    assert reload(uuid.UUID(theirs)).status == OrderStatus.DRAFT
    assert api.get("/orders/not-a-uuid").status_code == 404


def test_edit_a_draft_with_if_match(api, services):
    created = new_order(api, services, 0)
    order_id, tag = created.get_json()["id"], created.headers["ETag"]
    edited = api.patch(
        f"/orders/{order_id}", json={"services": [services[1].uuid]}, headers={"If-Match": tag}
    )
    assert edited.status_code == 200
    body = edited.get_json()
    assert body["revision"] == 2 and body["items"][0]["service_id"] == services[1].uuid
    stale = api.patch(
        f"/orders/{order_id}", json={"services": [services[2].uuid]}, headers={"If-Match": tag}
    )
    assert stale.status_code == 412 and stale.get_json()["code"] == "order_changed"
    assert reload(uuid.UUID(order_id)).items[0].service_uuid == uuid.UUID(services[1].uuid)


def test_a_change_on_the_page_after_the_read_is_a_412_for_the_api(api, client, services):
    created = new_order(api, services, 0)
    order_id, tag = created.get_json()["id"], created.headers["ETag"]
    from app.orders.drafts import update_draft

    update_draft(reload(uuid.UUID(order_id)), [services[2].uuid])
    for response in (
        api.post(f"/orders/{order_id}/send", headers={"If-Match": tag}),
        api.delete(f"/orders/{order_id}", headers={"If-Match": tag}),
    ):
        assert response.status_code == 412
    assert reload(uuid.UUID(order_id)).status == OrderStatus.DRAFT


def test_only_drafts_are_edited_sent_or_deleted(api, services, run_jobs):
    order_id = new_order(api, services, 0, send=True).get_json()["id"]
    run_jobs()
    for response in (
        api.patch(f"/orders/{order_id}", json={"services": [services[1].uuid]}),
        api.post(f"/orders/{order_id}/send"),
        api.delete(f"/orders/{order_id}"),
    ):
        assert response.status_code == 409 and response.get_json()["code"] == "order_not_draft"


def test_delete_a_draft(api, services):
    order_id = new_order(api, services, 0).get_json()["id"]
    response = api.delete(f"/orders/{order_id}")
    assert response.status_code == 204 and response.get_data() == b""
    assert api.get(f"/orders/{order_id}").status_code == 404


def test_send_then_cancel(api, services, run_jobs, sandbox):
    created = new_order(api, services, 0)
    order_id = created.get_json()["id"]
    sent = api.post(f"/orders/{order_id}/send", headers={"If-Match": created.headers["ETag"]})
    assert sent.status_code == 202 and sent.get_json()["status"] == "sending"
    too_soon = api.post(f"/orders/{order_id}/cancel")
    assert too_soon.status_code == 409 and too_soon.get_json()["code"] == "order_not_in_processing"
    run_jobs()
    read = api.get(f"/orders/{order_id}")
    cancelled = api.post(f"/orders/{order_id}/cancel", headers={"If-Match": read.headers["ETag"]})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert ("in_processing", "cancelled") in timeline(uuid.UUID(order_id))
    assert sandbox.stats()["orders_registered"] == 1


def test_cancel_with_an_old_etag_is_a_412(api, services, run_jobs):
    created = new_order(api, services, 0, send=True)
    run_jobs()
    response = api.post(
        f"/orders/{created.get_json()['id']}/cancel", headers={"If-Match": created.headers["ETag"]}
    )
    assert response.status_code == 412
    assert reload(uuid.UUID(created.get_json()["id"])).status == OrderStatus.IN_PROCESSING


def test_list_filters_by_status_text_and_date(api, services, user):
    draft = new_order(api, services, 0).get_json()
    sent = new_order(api, services, 1, send=True).get_json()
    assert [o["id"] for o in api.get("/orders?status=draft").get_json()["data"]] == [draft["id"]]
    assert [o["id"] for o in api.get("/orders?status=sending").get_json()["data"]] == [sent["id"]]
    word = services[1].name.split()[0]
    by_text = api.get(f"/orders?q={word}").get_json()["data"]
    assert sent["id"] in [o["id"] for o in by_text] and by_text[0]["first_item"]
    by_id = api.get(f"/orders?q={draft['id'][:8]}").get_json()["data"]
    assert [o["id"] for o in by_id] == [draft["id"]]
    created = draft["created_at"]
    assert api.get(f"/orders?created_before={created}").get_json()["data"] == []
    after = api.get(f"/orders?created_after={created.replace('Z', '+00:00')}".replace("+", "%2B"))
    assert len(after.get_json()["data"]) == 2
    naive = api.get("/orders?created_after=2000-01-01T00:00:00").get_json()["data"]
    assert len(naive) == 2
    assert api.get("/orders?status=lost").status_code == 422


def test_cursor_pages_stay_stable_while_new_orders_arrive(api, services, user):
    made = [create_draft(user.id, [services[0].uuid]).id for _ in range(5)]
    newest_first = [str(order_id) for order_id in reversed(made)]
    first = api.get("/orders?limit=2").get_json()
    assert [o["id"] for o in first["data"]] == newest_first[:2]
    create_draft(user.id, [services[1].uuid])  # arrives between two pages
    second = api.get(f"/orders?limit=2&cursor={first['next_cursor']}").get_json()
    assert [o["id"] for o in second["data"]] == newest_first[2:4]
    third = api.get(f"/orders?limit=2&cursor={second['next_cursor']}").get_json()
    assert [o["id"] for o in third["data"]] == newest_first[4:] and third["next_cursor"] is None


def test_limits_and_cursors_out_of_range_are_refused(api, services):
    assert api.get("/orders?limit=101").status_code == 422
    assert api.get("/orders?limit=0").status_code == 422
    assert api.get("/orders?limit=abc").get_json()["errors"][0]["field"] == "limit"
    for cursor in ("garbage", "eyJrIjoic2VydmljZXMiLCJvZmZzZXQiOjJ9", "eyJrIjoib3JkZXJzIn0", "%FF"):
        response = api.get(f"/orders?cursor={cursor}")
        assert response.status_code == 400, cursor
        assert response.get_json()["code"] in ("invalid_cursor", "bad_request")
    assert (
        api.get("/catalog/services?cursor=eyJrIjoic2VydmljZXMiLCJvZmZzZXQiOi0xfQ").status_code
        == 400
    )


def test_a_kept_listing_follows_every_change_and_each_account_has_its_own(
    api, user, services, factory, make_api
):
    draft = new_order(api, services, 0).get_json()
    assert [o["status"] for o in api.get("/orders").get_json()["data"]] == ["draft"]
    # Changed by SQL, as no page or job of the desk changes it: the listing still follows.
    moved = update(Order).where(Order.id == uuid.UUID(draft["id"]))
    db.session.execute(moved.values(status=OrderStatus.IN_PROCESSING))
    db.session.commit()
    assert [o["status"] for o in api.get("/orders").get_json()["data"]] == ["in_processing"]
    stranger = factory.user(email="other@example.com")
    # The same orders version as the first account's: only the account tells the listings apart.
    same_version = select(User.orders_version).where(User.id == user.id).scalar_subquery()
    db.session.execute(
        update(User).where(User.id == stranger.id).values(orders_version=same_version)
    )
    db.session.commit()
    other = make_api(stranger)
    assert other.get("/orders").get_json()["data"] == []
    theirs = new_order(other, services, 1).get_json()["id"]
    assert [o["id"] for o in other.get("/orders").get_json()["data"]] == [theirs]
    assert [o["id"] for o in api.get("/orders").get_json()["data"]] == [draft["id"]]
