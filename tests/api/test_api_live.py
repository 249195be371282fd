"""An order created and sent through the API shows up live on its owner's dashboard stream."""

import json
import threading

from app.api.tokens import create_token
from tests.api.conftest import ApiClient
from tests.support.auth import logged_in_client
from tests.support.waiting import wait_until
from tests.test_live import read_events


def test_an_order_made_through_the_api_reaches_the_dashboards_live_stream(
    make_app, user, services, checker
):
    app = make_app(LIVE_STREAM_SECONDS=5)
    response = logged_in_client(app).get("/orders/events", buffered=False)
    assert response.status_code == 200
    with app.app_context():
        _, secret = create_token(user.id, "live", "read write")
    api = ApiClient(app.test_client(), checker, secret)
    made = {}

    def create_through_the_api():
        with app.app_context():
            wait_until(app.extensions["live_hub"].listening.is_set, seconds=30)
            created = api.post("/orders", json={"services": [services[0].uuid], "send": True})
            made["id"] = created.get_json()["id"]

    creator = threading.Thread(target=create_through_the_api)
    creator.start()
    events = read_events(response, 2)
    creator.join()
    changes = [json.loads(e.splitlines()[1].removeprefix("data: ")) for e in events]
    assert {c["order_id"] for c in changes} == {made["id"]}
    assert [c["status"] for c in changes] == ["draft", "sending"]
