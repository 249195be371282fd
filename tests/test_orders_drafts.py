"""Creating, editing and deleting drafts; exact money."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Order, OrderStatus
from app.money import compute_totals


def all_orders():
    db.session.expire_all()
    return db.session.scalars(db.select(Order)).all()


def test_new_order_page_lists_every_catalog_service(client, logged_in, services):
    page = client.get("/orders/new").get_data(as_text=True)
    assert len(services) == 45
    assert all(service.uuid in page for service in services)


def test_preselected_service(client, logged_in, services):
    page = client.get(f"/orders/new?service={services[30].uuid}").get_data(as_text=True)
    assert f'value="{services[30].uuid}" checked' in page
    assert page.count(" checked") == 1


def test_create_draft_snapshots_items_and_exact_totals(client, logged_in, services):
    chosen = services[:3]
    response = client.post("/orders/new", data={"services": [s.uuid for s in chosen]})
    assert response.status_code == 303
    [order] = all_orders()
    assert response.headers["Location"] == f"/orders/{order.id}"
    assert order.status == OrderStatus.DRAFT and order.user_id == logged_in.id
    assert [str(item.service_uuid) for item in order.items] == [s.uuid for s in chosen]
    assert [item.name for item in order.items] == [s.name for s in chosen]
    assert order.price == sum(s.price for s in chosen)
    assert order.tax == sum(s.tax for s in chosen)
    assert order.gross == sum(s.gross for s in chosen)
    assert [e.to_status for e in order.events] == ["draft"]


def test_duplicates_collapse(client, logged_in, services):
    uuid_ = services[5].uuid
    client.post("/orders/new", data={"services": [uuid_, uuid_.upper(), uuid_]})
    [order] = all_orders()
    assert len(order.items) == 1 and order.gross == services[5].gross


@pytest.mark.parametrize(
    "selection,message",
    [
        ([], "Choose at least one service"),
        (["not-a-uuid"], "not service ids"),
        ([str(uuid.uuid4())], "not in the catalog"),
    ],
)
def test_invalid_selection_is_422_and_saves_nothing(
    client, logged_in, services, selection, message
):
    data = {"services": [services[0].uuid, *selection]} if selection else {}
    response = client.post("/orders/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    for value in selection:
        if value != "not-a-uuid":
            assert value in response.get_data(as_text=True)
    assert all_orders() == []


def test_live_totals_use_the_stored_function(client, logged_in, services):
    chosen = services[:4]
    response = client.get("/orders/totals", query_string={"services": [s.uuid for s in chosen]})
    html = response.get_data(as_text=True)
    expected = compute_totals(chosen)
    assert f"{expected.gross:.2f}" in html.replace("\u202f", "")
    assert 'data-total="count">4<' in html


def test_live_totals_name_unknown_services(client, logged_in, services):
    unknown = str(uuid.uuid4())
    html = client.get("/orders/totals", query_string={"services": [unknown]}).get_data(as_text=True)
    assert unknown in html and "Not in the catalog" in html


def test_money_is_exact_to_the_cent():
    entries = [SimpleNamespace(price="0.10", tax="0.02", gross="0.12")] * 3 + [
        SimpleNamespace(price=Decimal("0.20"), tax=Decimal("0.04"), gross=Decimal("0.24"))
    ]
    totals = compute_totals(entries)
    assert (totals.price, totals.tax, totals.gross) == (
        Decimal("0.50"),
        Decimal("0.10"),
        Decimal("0.60"),
    )
    many = compute_totals([SimpleNamespace(price="0.10", tax="0.01", gross="0.11")] * 1000)
    assert many.price == Decimal("100.00") and many.gross == Decimal("110.00")


def test_whole_catalog_order_is_exact(client, logged_in, services):
    client.post("/orders/new", data={"services": [s.uuid for s in services]})
    [order] = all_orders()
    assert len(order.items) == 45
    assert order.gross == sum((s.gross for s in services), Decimal(0))
    assert order.price + order.tax == order.gross
    assert order.gross != Decimal(int(order.gross))


def test_edit_draft_replaces_items(client, draft, services):
    response = client.post(f"/orders/{draft.id}/edit", data={"services": [services[9].uuid]})
    assert response.status_code == 303
    [order] = all_orders()
    assert [str(i.service_uuid) for i in order.items] == [services[9].uuid]
    assert order.gross == services[9].gross


def test_edit_form_shows_current_items(client, draft, services):
    page = client.get(f"/orders/{draft.id}/edit").get_data(as_text=True)
    assert f'value="{services[0].uuid}" checked' in page
    assert f'value="{services[2].uuid}" checked' not in page


def test_edit_with_bad_input_changes_nothing(client, draft, services):
    response = client.post(f"/orders/{draft.id}/edit", data={"services": []})
    assert response.status_code == 422
    [order] = all_orders()
    assert len(order.items) == 2


def test_delete_asks_for_confirmation_then_deletes(client, draft):
    confirm = client.get(f"/orders/{draft.id}/delete")
    assert confirm.status_code == 200 and b"Delete draft" in confirm.data
    assert all_orders() != []
    response = client.post(f"/orders/{draft.id}/delete")
    assert response.status_code == 303
    assert all_orders() == []


def test_htmx_delete_removes_the_row(client, draft):
    headers = {"HX-Request": "true", "HX-Target": f"order-{draft.id}"}
    response = client.post(f"/orders/{draft.id}/delete", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<tr" not in html and "Draft deleted" in html and 'hx-swap-oob="innerHTML"' in html


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_only_drafts_can_be_edited_or_deleted(client, draft, services, action):
    db.session.execute(db.update(Order).values(status=OrderStatus.IN_PROCESSING))
    db.session.commit()
    data = {"services": [services[3].uuid]}
    plain = client.post(f"/orders/{draft.id}/{action}", data=data)
    assert plain.status_code == 303
    follow = client.get(plain.headers["Location"]).get_data(as_text=True)
    assert "Only drafts can be" in follow
    htmx = client.post(f"/orders/{draft.id}/{action}", data=data, headers={"HX-Request": "true"})
    assert htmx.status_code == 409
    assert htmx.headers["HX-Retarget"] == "#flash"
    [order] = all_orders()
    assert len(order.items) == 2


def test_absurd_input_is_refused_briefly(client, logged_in, services):
    huge = "x" * 1_000_000
    response = client.post("/orders/new", data={"services": [huge]})
    assert response.status_code == 422 and len(response.data) < 200_000
    too_many = [str(uuid.uuid4()) for _ in range(201)]
    response = client.post("/orders/new", data={"services": too_many})
    assert response.status_code == 422 and b"at most 200" in response.data
    assert all_orders() == []
