"""Racing changes to one draft, and how open pages learn that it moved on: the revision check
is part of the statement that changes the order, so of two saves (or a save and a send) made
from one revision exactly one passes; every edit and deletion is published with the revision,
and an open draft's watch says in place how it moved on."""

import contextlib
import json
import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import get_redis
from app.models import OrderStatus
from app.orders.drafts import create_draft
from app.orders.live import user_channel
from tests.support.auth import logged_in_client
from tests.support.orders import reload
from tests.support.waiting import wait_until

WAITING_ON_LOCKS = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@contextlib.contextmanager
def row_held(raw_engine, order_id):
    """The order's row locked by another transaction until the block ends, so the requests
    started meanwhile all reach their change of the order before any of them makes it."""
    with raw_engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(text("SELECT 1 FROM orders WHERE id = :id FOR UPDATE"), {"id": order_id})
        try:
            yield
        finally:
            transaction.rollback()


def waiting_on_locks(raw_engine) -> int:
    with raw_engine.connect() as conn:
        return conn.execute(WAITING_ON_LOCKS).scalar_one()


class Post(threading.Thread):
    """A post from its own browser (client), answered in a thread of its own."""

    def __init__(self, app, path: str, data: dict):
        super().__init__(daemon=True)
        self.client, self.path, self.data = logged_in_client(app), path, data
        self.status: int | None = None

    def run(self) -> None:
        self.status = self.client.post(self.path, data=self.data).status_code


def race(raw_engine, posts: list[Post]) -> list[int | None]:
    """Start the posts one after another while the row is held, each waiting on the lock
    before the next starts; then let them through and return their statuses."""
    with row_held(raw_engine, posts[0].path.split("/")[2]):
        for count, post in enumerate(posts, start=1):
            post.start()
            wait_until(lambda n=count: waiting_on_locks(raw_engine) >= n, seconds=10)
    for post in posts:
        post.join(timeout=10)
    return [post.status for post in posts]


def test_two_saves_from_one_revision_exactly_one_wins(app, raw_engine, draft, services):
    path = f"/orders/{draft.id}/edit"
    first = Post(app, path, {"services": [services[5].uuid], "revision": 1})
    second = Post(app, path, {"services": [services[6].uuid], "revision": 1})
    assert race(raw_engine, [first, second]) == [303, 409]
    order = reload(draft.id)
    assert order.revision == 2
    assert [str(item.service_uuid) for item in order.items] == [services[5].uuid]


def test_a_save_and_a_send_from_one_revision_never_send_the_unseen_content(
    app, raw_engine, draft, services
):
    save = Post(app, f"/orders/{draft.id}/edit", {"services": [services[7].uuid], "revision": 1})
    send = Post(app, f"/orders/{draft.id}/send", {"revision": 1})
    assert race(raw_engine, [save, send]) == [303, 409]
    order = reload(draft.id)
    assert (order.status, order.revision) == (OrderStatus.DRAFT, 2)


def received(pubsub, seconds: float = 0.5) -> list[dict]:
    messages, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        if message := pubsub.get_message(timeout=0.05):
            messages.append(json.loads(message["data"]))
    return messages


@pytest.fixture
def channel(logged_in):
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(user_channel(logged_in.id))
    yield pubsub
    pubsub.close()


def test_edits_and_deletions_are_published_with_the_revision(client, draft, services, channel):
    order_id = str(draft.id)
    data = {"services": [services[3].uuid], "revision": 1}
    assert client.post(f"/orders/{draft.id}/edit", data=data).status_code == 303
    assert received(channel) == [{"order_id": order_id, "status": "draft", "revision": 2}]
    assert client.post(f"/orders/{draft.id}/edit", data=data).status_code == 409
    assert client.post(f"/orders/{draft.id}/delete", data={"revision": 1}).status_code == 409
    assert received(channel) == []  # a refused change is never announced
    assert client.post(f"/orders/{draft.id}/delete", data={"revision": 2}).status_code == 303
    assert received(channel) == [
        {"order_id": order_id, "status": "draft", "revision": 2, "deleted": True}
    ]


def test_a_send_is_published_with_the_revision_it_sends(client, draft, channel):
    assert client.post(f"/orders/{draft.id}/send", data={"revision": 1}).status_code == 303
    assert received(channel) == [{"order_id": str(draft.id), "status": "sending", "revision": 1}]


def watch(client, order_id, revision) -> str:
    response = client.get(f"/orders/{order_id}/watch?revision={revision}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_watch_keeps_watching_while_the_draft_is_current(client, draft):
    answer = watch(client, draft.id, 1)
    assert f'hx-get="/orders/{draft.id}/watch?revision=1"' in answer
    assert "data-stale" not in answer


def test_the_watch_says_how_the_draft_moved_on(client, draft, services):
    data = {"services": [services[3].uuid], "revision": 1}
    assert client.post(f"/orders/{draft.id}/edit", data=data).status_code == 303
    changed = watch(client, draft.id, 1)
    assert 'data-stale="changed"' in changed and "hx-get" not in changed
    assert "changed in another tab or window" in changed and ">Reload</a>" in changed
    assert "data-stale" not in watch(client, draft.id, 2)
    assert client.post(f"/orders/{draft.id}/send", data={"revision": 2}).status_code == 303
    sent = watch(client, draft.id, 2)
    assert 'data-stale="sent"' in sent and "sent to processing from another tab" in sent


def test_a_deleted_draft_and_someone_elses_answer_alike(client, draft, factory, services):
    order_id = draft.id
    assert client.post(f"/orders/{order_id}/delete", data={"revision": 1}).status_code == 303
    deleted = watch(client, order_id, 1)
    assert 'data-stale="deleted"' in deleted and "deleted in another tab or window" in deleted
    stranger = create_draft(factory.user().id, [services[0].uuid])
    theirs = watch(client, stranger.id, 1)
    assert theirs.replace(str(stranger.id), "ID") == deleted.replace(str(order_id), "ID")


@pytest.mark.parametrize("query", ["", "?revision=", "?revision=abc", "?revision=-1"])
def test_the_watch_needs_a_revision(client, draft, query):
    assert client.get(f"/orders/{draft.id}/watch{query}").status_code == 400


def test_open_drafts_listen_and_other_pages_do_not(client, draft):
    edit = client.get(f"/orders/{draft.id}/edit").get_data(as_text=True)
    page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    for html in (edit, page):
        assert 'sse-connect="/orders/events"' in html
        assert f'data-order-id="{draft.id}" data-revision="1"' in html
    assert f'data-revision-of="{draft.id}"' in edit and f'data-revision-of="{draft.id}"' in page
    assert client.post(f"/orders/{draft.id}/send", data={"revision": 1}).status_code == 303
    assert "data-draft-watch" not in client.get(f"/orders/{draft.id}").get_data(as_text=True)
