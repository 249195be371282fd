"""A client generated from the document by openapi-python-client (into a temporary folder, from
the document as served) takes an order from draft to done against the sandbox."""

import importlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from app.api.tokens import create_token
from app.orders.sync import run_sync

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated(tmp_path, app):
    """The generated package `ctm_client`, imported from tmp_path."""
    document = tmp_path / "openapi.json"
    served = app.test_client().get("/api/v1/openapi.json")
    document.write_text(json.dumps(served.get_json()))
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"post_hooks": [], "project_name_override": "ctm_client"}))
    subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            document,
            "--meta",
            "none",
            "--config",
            config,
            "--output-path",
            tmp_path / "ctm_client",
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("ctm_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "ctm_client" or n.startswith("ctm_client.")]:
            del sys.modules[name]


def test_a_generated_client_takes_an_order_from_draft_to_done(
    app, generated, user, services, run_jobs, sandbox
):
    from ctm_client.api.catalog import list_services
    from ctm_client.api.orders import (
        create_order,
        edit_order,
        get_order,
        list_order_events,
        list_orders,
        send_order,
    )
    from ctm_client.models import NewOrder, OrderEdit, Problem, Status

    _, secret = create_token(user.id, "generated client", "read write")
    transport = httpx.WSGITransport(app=app)
    client = generated.AuthenticatedClient(
        base_url="http://desk.test", token=secret, httpx_args={"transport": transport}
    )

    catalog = list_services.sync(client=client, limit=3)
    first, second = catalog.data[0], catalog.data[1]
    assert isinstance(first.price, str) and first.currency == "RUB"

    key = str(uuid.uuid4())
    draft = create_order.sync(
        client=client, body=NewOrder(services=[str(first.id)]), idempotency_key=key
    )
    assert draft.status == Status.DRAFT
    replay = create_order.sync_detailed(
        client=client, body=NewOrder(services=[str(first.id)]), idempotency_key=key
    )
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.parsed.id == draft.id

    read = get_order.sync_detailed(draft.id, client=client)
    edited = edit_order.sync(
        draft.id,
        client=client,
        body=OrderEdit(services=[str(first.id), str(second.id)]),
        if_match=read.headers["ETag"],
    )
    assert edited.revision == 2 and len(edited.items) == 2
    stale = send_order.sync(draft.id, client=client, if_match=read.headers["ETag"])
    assert isinstance(stale, Problem) and stale.code == "order_changed"

    sent = send_order.sync(draft.id, client=client, idempotency_key=str(uuid.uuid4()))
    assert sent.status == Status.SENDING
    run_jobs()
    processing = get_order.sync(draft.id, client=client)
    assert processing.status == Status.IN_PROCESSING
    sandbox.force_state(processing.provider_order_id, "done")
    run_sync()

    done = get_order.sync(draft.id, client=client)
    assert done.status == Status.DONE and done.gross == edited.gross
    steps = [
        (e.from_status, e.to_status) for e in list_order_events.sync(draft.id, client=client).data
    ]
    assert steps[-1] == (Status.IN_PROCESSING, Status.DONE)
    assert [o.id for o in list_orders.sync(client=client, status=Status.DONE).data] == [draft.id]
    assert sandbox.stats()["orders_registered"] == 1
