"""A property-based run generated from the document over every operation: no 5xx, and every
answer conforms to the document (status, media type, headers, body). Bounded (MAX_EXAMPLES per
operation, derandomized) so that it stays within a minute or two."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from app import create_app
from app.api.document import document
from app.api.tokens import create_token
from app.catalog.service import get_catalog
from app.orders.drafts import create_draft
from tests.conftest import settings_for_tests

MAX_EXAMPLES = 40
CHECKS = [
    schemathesis.checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def document_of_the_code() -> dict:
    """The document as the app serves it (building it needs no database)."""
    with create_app(settings_for_tests()).app_context():
        return document()


schema = schemathesis.openapi.from_dict(document_of_the_code())


@pytest.fixture
def target(make_app, user, sandbox):
    """The app under test, a token, and one draft so that some generated calls find data."""
    app = make_app(API_RATE_LIMIT="1000000 per minute")
    with app.app_context():
        create_draft(user.id, [get_catalog().services[0].uuid])
        _, secret = create_token(user.id, "schemathesis", "read write")
    return app, {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_the_document(case, target):
    app, headers = target
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
