"""A send that the send path itself flags for a person (its outcome unknown for longer than
SEND_ATTENTION_AFTER_SECONDS) needs a human on the console before the console's own
OPS_SEND_UNCONFIRMED_SECONDS has passed."""

import pytest

from app.models import OrderStatus
from tests.support.ops import attention_rows, send
from tests.support.orders import reload


@pytest.fixture
def app(make_app):
    app = make_app(
        SEND_MAX_ATTEMPTS=50,
        SEND_BACKOFF_SECONDS=60,
        SEND_ATTENTION_AFTER_SECONDS=0,
        OPS_SEND_UNCONFIRMED_SECONDS=3600,
    )
    with app.app_context():
        yield app


def test_a_send_flagged_for_a_person_is_listed_and_settled(
    client, operator_client, draft, run_jobs, provider_down
):
    order = send(client, draft.id, run_jobs)  # a 503: the outcome is unknown from now on
    assert order.send_unknown_since is not None and order.needs_attention_since is None
    assert attention_rows(operator_client) == {}

    operator_client.post(f"/ops/orders/{draft.id}/retry-send")
    run_jobs()  # another 503, and the unknown outcome is now older than 0 s: flagged

    assert reload(draft.id).needs_attention_since is not None
    assert attention_rows(operator_client) == {str(draft.id): "unconfirmed_send"}
    operator_client.post(f"/ops/orders/{draft.id}/resolve", data={"note": "Checked by phone"})
    settled = reload(draft.id)
    assert settled.status == OrderStatus.DRAFT and settled.needs_attention_since is None
    assert attention_rows(operator_client) == {}
