"""Edits never overwrite each other: every form that changes a draft carries the revision it
was drawn from, and a save, send or delete from an older revision gets the conflict page (409)
with the customer's two choices; the draft keeps what was saved first."""

import html
import re

import pytest

from app.extensions import db
from app.models import Order, OrderStatus
from app.queue import get_send_queue
from tests.support.orders import reload


def items_of(order_id) -> list[str]:
    return [str(item.service_uuid) for item in reload(order_id).items]


def save(client, order_id, services, revision=None, headers=None):
    data = {"services": [service.uuid for service in services]}
    if revision is not None:
        data["revision"] = revision
    return client.post(f"/orders/{order_id}/edit", data=data, headers=headers or {})


def form_of(page: str, action: str, method: str = "post") -> dict[str, list[str]]:
    """The hidden fields of the page's form that sends to `action` (the first such form)."""
    form = rf'<form(?=[^>]*method="{method}")(?=[^>]*action="{re.escape(action)}")(.*?)</form>'
    match = re.search(form, page, re.S)
    assert match, f"no form for {method} {action}"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', match.group(1)):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


@pytest.fixture
def saved_elsewhere(client, draft, services):
    """The draft after another tab saved it (revision 1 → 2), leaving services 0 and 2."""
    assert save(client, draft.id, [services[0], services[2]], revision=1).status_code == 303
    assert reload(draft.id).revision == 2
    return draft


def test_every_form_that_changes_a_draft_carries_its_revision(client, draft, services):
    save(client, draft.id, [services[3]])  # revision 2
    edit = client.get(f"/orders/{draft.id}/edit").get_data(as_text=True)
    assert form_of(edit, f"/orders/{draft.id}/edit")["revision"] == ["2"]
    page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert form_of(page, f"/orders/{draft.id}/send")["revision"] == ["2"]
    dashboard = client.get("/").get_data(as_text=True)
    assert form_of(dashboard, f"/orders/{draft.id}/send")["revision"] == ["2"]
    assert form_of(dashboard, f"/orders/{draft.id}/delete", "get")["revision"] == ["2"]
    confirm = client.get(f"/orders/{draft.id}/delete").get_data(as_text=True)
    assert form_of(confirm, f"/orders/{draft.id}/delete")["revision"] == ["2"]
    from_a_row = client.get(f"/orders/{draft.id}/delete?revision=1").get_data(as_text=True)
    assert form_of(from_a_row, f"/orders/{draft.id}/delete")["revision"] == ["1"]


def test_a_stale_save_gets_the_conflict_page_and_the_first_save_stays(
    client, saved_elsewhere, services
):
    response = save(client, saved_elsewhere.id, [services[0], services[1], services[4]], 1)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed while you were editing it" in page
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r'<tr( class="is-different")?><td>([^<]+)</td>', body)
    assert [(bool(marked), name) for marked, name in rows] == [
        (False, html.escape(services[0].name)),
        (True, html.escape(services[2].name)),  # only in the draft now
        (True, html.escape(services[1].name)),  # only in this tab's version
        (True, html.escape(services[4].name)),
    ]
    assert "Keep my version" in page and "Take the current draft" in page
    assert items_of(saved_elsewhere.id) == [services[0].uuid, services[2].uuid]
    assert reload(saved_elsewhere.id).revision == 2


def test_a_stale_save_over_htmx_gets_the_conflict_in_place(client, saved_elsewhere, services):
    fragment = save(client, saved_elsewhere.id, [services[5]], 1, {"HX-Request": "true"})
    assert fragment.status_code == 409
    assert fragment.headers["HX-Retarget"] == "#main"
    assert fragment.headers["HX-Reswap"] == "innerHTML"
    assert fragment.headers["HX-Push-Url"] == "false"
    body = fragment.get_data(as_text=True)
    assert 'id="conflict"' in body and "<html" not in body
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    whole = save(client, saved_elsewhere.id, [services[5]], 1, boosted)
    assert whole.status_code == 409 and "<html" in whole.get_data(as_text=True)
    assert "HX-Retarget" not in whole.headers and whole.headers["HX-Push-Url"] == "false"
    assert items_of(saved_elsewhere.id) == [services[0].uuid, services[2].uuid]


def test_keep_my_version_saves_it_over_the_current_one(client, saved_elsewhere, services):
    mine = [services[1], services[4]]
    page = save(client, saved_elsewhere.id, mine, 1).get_data(as_text=True)
    keep = form_of(page, f"/orders/{saved_elsewhere.id}/edit")
    assert keep["revision"] == ["2"] and keep["services"] == [s.uuid for s in mine]
    response = client.post(f"/orders/{saved_elsewhere.id}/edit", data=keep)
    assert response.status_code == 303
    assert items_of(saved_elsewhere.id) == [s.uuid for s in mine]
    assert reload(saved_elsewhere.id).revision == 3


def test_keep_my_version_is_refused_again_after_a_third_change(client, saved_elsewhere, services):
    page = save(client, saved_elsewhere.id, [services[1]], 1).get_data(as_text=True)
    keep = form_of(page, f"/orders/{saved_elsewhere.id}/edit")
    assert save(client, saved_elsewhere.id, [services[7]], 2).status_code == 303  # a third tab
    again = client.post(f"/orders/{saved_elsewhere.id}/edit", data=keep)
    assert again.status_code == 409
    assert items_of(saved_elsewhere.id) == [services[7].uuid]


def test_take_the_current_one_goes_to_the_current_draft(client, saved_elsewhere, services):
    page = save(client, saved_elsewhere.id, [services[1]], 1).get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+)">Take the current draft</a>', page)
    assert link and link.group(1) == f"/orders/{saved_elsewhere.id}"
    current = client.get(link.group(1)).get_data(as_text=True)
    assert html.escape(services[2].name) in current
    assert form_of(current, f"/orders/{saved_elsewhere.id}/send")["revision"] == ["2"]
    assert items_of(saved_elsewhere.id) == [services[0].uuid, services[2].uuid]


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true", "HX-Target": "ROW"}])
def test_a_stale_send_gets_the_conflict_page_and_nothing_is_sent(
    client, saved_elsewhere, services, headers
):
    order_id = saved_elsewhere.id
    headers = {name: value.replace("ROW", f"order-{order_id}") for name, value in headers.items()}
    response = client.post(f"/orders/{order_id}/send", data={"revision": 1}, headers=headers)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed before you sent it" in page
    assert html.escape(services[2].name) in page  # what the draft holds now
    if headers:
        assert response.headers["HX-Retarget"] == "#main"
        assert 'id="conflict"' in page and "<html" not in page and 'id="order-' not in page
    order = reload(order_id)
    assert (order.status, order.revision) == (OrderStatus.DRAFT, 2)
    assert get_send_queue().count == 0


def test_send_it_as_it_is_now_sends_the_current_revision(client, saved_elsewhere):
    page = client.post(f"/orders/{saved_elsewhere.id}/send", data={"revision": 1})
    send = form_of(page.get_data(as_text=True), f"/orders/{saved_elsewhere.id}/send")
    assert send["revision"] == ["2"]
    response = client.post(f"/orders/{saved_elsewhere.id}/send", data=send)
    assert response.status_code == 303
    assert reload(saved_elsewhere.id).status == OrderStatus.SENDING
    assert get_send_queue().count == 1


def test_a_stale_delete_is_refused_and_a_current_one_deletes(client, saved_elsewhere, services):
    order_id = saved_elsewhere.id
    row = {"HX-Request": "true", "HX-Target": f"order-{order_id}"}
    for headers in ({}, row):
        response = client.post(f"/orders/{order_id}/delete", data={"revision": 1}, headers=headers)
        assert response.status_code == 409
        assert "changed before you deleted it" in response.get_data(as_text=True)
        assert reload(order_id).status == OrderStatus.DRAFT
    page = client.post(f"/orders/{order_id}/delete", data={"revision": 1}).get_data(as_text=True)
    delete = form_of(page, f"/orders/{order_id}/delete")
    assert client.post(f"/orders/{order_id}/delete", data=delete).status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, order_id) is None


def test_without_the_field_nothing_is_checked(client, saved_elsewhere, services):
    assert save(client, saved_elsewhere.id, [services[6]]).status_code == 303
    assert items_of(saved_elsewhere.id) == [services[6].uuid]
    assert client.post(f"/orders/{saved_elsewhere.id}/send").status_code == 303


@pytest.mark.parametrize("value", ["", "abc", "-1", "1.0", "²", " 2", "9" * 10, "\x00"])
@pytest.mark.parametrize("action", ["edit", "send", "delete"])
def test_a_revision_that_is_no_number_is_a_400_and_changes_nothing(
    client, saved_elsewhere, services, action, value
):
    data = {"revision": value, "services": [services[9].uuid]}
    response = client.post(f"/orders/{saved_elsewhere.id}/{action}", data=data)
    assert response.status_code == 400
    assert "version of the order this page shows cannot be read" in response.get_data(as_text=True)
    order = reload(saved_elsewhere.id)
    assert (order.status, order.revision) == (OrderStatus.DRAFT, 2)
    assert items_of(saved_elsewhere.id) == [services[0].uuid, services[2].uuid]


def test_a_redrawn_form_carries_on_the_revision_it_was_drawn_from(
    client, saved_elsewhere, services
):
    """Without JavaScript, Update totals redraws the form: it must not adopt the newer revision,
    or the save that follows would overwrite the other tab's change unseen."""
    data = {"services": [services[3].uuid], "revision": 1, "recalculate": "1"}
    redrawn = client.post(f"/orders/{saved_elsewhere.id}/edit", data=data)
    assert redrawn.status_code == 200
    fields = form_of(redrawn.get_data(as_text=True), f"/orders/{saved_elsewhere.id}/edit")
    assert fields["revision"] == ["1"]
    refused = client.post(
        f"/orders/{saved_elsewhere.id}/edit", data={"services": [], "revision": 1}
    )
    assert refused.status_code == 422
    assert form_of(refused.get_data(as_text=True), f"/orders/{saved_elsewhere.id}/edit")[
        "revision"
    ] == ["1"]
