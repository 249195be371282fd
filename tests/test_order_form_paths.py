"""The order form's other ways in and out: adding a catalog service to an open draft, and
working out the totals on the server for browsers without JavaScript."""

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Order


def order_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def test_order_this_without_a_draft_goes_straight_to_a_new_order(client, logged_in, services):
    response = client.get(f"/orders/add?service={services[7].uuid}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/orders/new?service={services[7].uuid}"


def test_order_this_offers_the_open_drafts(client, draft, services):
    html = client.get(f"/orders/add?service={services[7].uuid}").get_data(as_text=True)
    assert f"Add to draft #{draft.short_id}" in html
    assert f'href="/orders/{draft.id}/edit?add={services[7].uuid}"' in html
    assert f'href="/orders/new?service={services[7].uuid}"' in html
    assert f"{services[0].name} + 1 more" in html


def test_order_this_with_no_such_service_is_not_found(client, logged_in):
    for value in ("nonsense", "00000000-0000-4000-8000-000000000000", ""):
        assert client.get(f"/orders/add?service={value}").status_code == 404


def test_a_service_added_to_a_draft_is_chosen_first_and_focused(client, draft, services):
    html = client.get(f"/orders/{draft.id}/edit?add={services[40].uuid}").get_data(as_text=True)
    chosen = html.split('id="chosen-title"')[1].split("Add more services")[0]
    for service in (services[0], services[1], services[40]):
        assert f'value="{service.uuid}" checked' in chosen
    assert re.search(rf'value="{services[40].uuid}" checked\s+autofocus', chosen)
    assert len(re.findall(r"\bchecked\b", html)) == 3
    ignored = client.get(f"/orders/{draft.id}/edit?add=garbage")
    assert ignored.status_code == 200 and "autofocus" not in ignored.get_data(as_text=True)


def test_update_totals_redraws_the_new_form_and_saves_nothing(client, logged_in, services):
    chosen = [services[0].uuid, services[2].uuid]
    response = client.post("/orders/new", data={"services": chosen, "recalculate": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and order_count() == 0
    gross = services[0].gross + services[2].gross
    assert re.search(rf'data-total="gross"><strong>{gross:.2f}', html.replace("\u202f", ""))
    assert "2 services selected." in html


def test_update_totals_leaves_the_draft_as_it_was(client, draft, services):
    data = {"services": [services[5].uuid], "recalculate": "1"}
    html = client.post(f"/orders/{draft.id}/edit", data=data).get_data(as_text=True)
    assert "1 service selected." in html
    db.session.expire_all()
    assert [str(i.service_uuid) for i in db.session.get(Order, draft.id).items] == [
        services[0].uuid,
        services[1].uuid,
    ]


def test_the_tax_rate_is_named_only_when_the_services_have_one(client, logged_in, services):
    html = client.get(f"/orders/totals?services={services[0].uuid}").get_data(as_text=True)
    assert '<dt class="totals-detail">Tax (22 %)</dt>' in html
    empty = client.get("/orders/totals").get_data(as_text=True)
    assert '<dt class="totals-detail">Tax</dt>' in empty
