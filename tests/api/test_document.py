"""The OpenAPI document validates, describes every operation, and the reference page shows each
with a curl and a Python example, from the app's own files only."""

import re

from openapi_spec_validator import validate

from app.api.spec import bp

OPERATIONS = {
    "list_services",
    "list_orders",
    "get_order",
    "create_order",
    "edit_order",
    "delete_order",
    "send_order",
    "cancel_order",
    "list_order_events",
    "list_webhook_endpoints",
    "create_webhook_endpoint",
    "get_webhook_endpoint",
    "update_webhook_endpoint",
    "delete_webhook_endpoint",
    "rotate_webhook_secret",
    "send_webhook_test",
    "list_webhook_deliveries",
    "redeliver_webhook_event",
}


def served(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(client):
    document = served(client)
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_it_describes_every_operation_of_the_blueprint(app, client):
    document = served(client)
    described = {
        operation["operationId"]
        for entries in document["paths"].values()
        for operation in entries.values()
    }
    assert described == OPERATIONS
    routed = {
        rule.endpoint.removeprefix("api.")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{bp.name}.")
    }
    assert routed == OPERATIONS | {"openapi_document"}


def test_problems_are_described_as_problem_json_and_money_as_strings(client):
    document = served(client)
    create = document["paths"]["/api/v1/orders"]["post"]["responses"]
    assert set(create["422"]["content"]) == {"application/problem+json"}
    amount = document["components"]["schemas"]["Order"]["properties"]["gross"]
    assert amount["type"] == "string" and "pattern" in amount


def test_the_document_has_an_etag(client):
    tag = client.get("/api/v1/openapi.json").headers["ETag"]
    assert client.get("/api/v1/openapi.json", headers={"If-None-Match": tag}).status_code == 304


def test_the_reference_shows_every_operation_with_curl_and_python(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for operation in OPERATIONS:
        section = page.split(f'data-operation="{operation}"', 1)[1].split("</section>", 1)[0]
        assert 'data-example="curl"' in section and "curl -X" in section, operation
        assert 'data-example="python"' in section and "import requests" in section.replace(
            "import os, uuid, requests", "import requests"
        ), operation
    assert 'id="problem-order_changed"' in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
    assert not re.search(r'src="(https?:)?//', page), "a file from elsewhere"


def test_the_reference_speaks_russian_to_a_russian_browser(client):
    page = client.get("/api/docs", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Соглашения" in page and "Коды ошибок" in page


def test_answers_are_checked_against_their_models_only_where_asked(app, user, monkeypatch):
    """The tests check every answer against its model (a wrong one is a 500); production does
    not parse each answer again (API_CHECK_RESPONSES=0) and passes it on as the view made it."""
    from flask import Response

    from app.api import orders
    from app.api.tokens import create_token

    broken = '{"data": "not a list"}'
    monkeypatch.setattr(
        orders, "read_body", lambda *_answer: Response(broken, mimetype="application/json")
    )
    _, token = create_token(user.id, "tests", "read")
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/orders", headers=headers).status_code == 500
    monkeypatch.setitem(app.config, "API_CHECK_RESPONSES", 0)
    answer = client.get("/api/v1/orders", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.get_data(as_text=True) == broken
