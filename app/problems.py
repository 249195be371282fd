"""The API's errors as RFC 9457 problem details (`application/problem+json`): a stable `code`,
a `title` and `detail` in the language of Accept-Language, and for invalid input the fields
by name. Outside app/api, so that app/errors.py answers /api errors with it without a circle."""

import json

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MEDIA_TYPE = "application/problem+json"

# Each status's default code and title; views raise more specific codes with their own detail.
DEFAULTS = {
    400: ("bad_request", _l("Bad request")),
    401: ("unauthorized", _l("Not authenticated")),
    403: ("forbidden", _l("Forbidden")),
    404: ("not_found", _l("Not found")),
    405: ("method_not_allowed", _l("Method not allowed")),
    406: ("not_acceptable", _l("Not acceptable")),
    409: ("conflict", _l("Conflict")),
    412: ("precondition_failed", _l("Precondition failed")),
    413: ("too_large", _l("Too large")),
    414: ("address_too_long", _l("Address too long")),
    415: ("unsupported_media_type", _l("Unsupported media type")),
    422: ("invalid_request", _l("Invalid request")),
    429: ("rate_limited", _l("Too many requests")),
    500: ("internal_error", _l("Internal error")),
    503: ("unavailable", _l("Temporarily unavailable")),
}
DETAILS = {
    400: _l("The request could not be understood."),
    401: _l("Send a live API token as `Authorization: Bearer ctm_…`."),
    403: _l("This token may not do that."),
    404: _l("There is no such resource, or it is not yours."),
    405: _l("This method is not allowed here."),
    413: _l("The request body is too large."),
    414: _l("The address is too long."),
    415: _l("Send the body as JSON (`Content-Type: application/json`), in UTF-8."),
    422: _l("Some of what you sent cannot be used."),
    429: _l("Too many requests for this token. Wait and try again."),
    500: _l("An unexpected error happened on our side. It has been logged."),
    503: _l("A service we depend on is not answering. Please try again in a minute."),
}


class ApiProblem(Exception):
    """Raised anywhere under /api/v1: answered as problem details."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        detail: str | None = None,
        errors: list[dict] | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail or code or str(status))
        self.status, self.code, self.detail = status, code, detail
        self.errors, self.headers = errors, headers or {}

    def response(self) -> Response:
        return problem_response(self.status, self.code, self.detail, self.errors, self.headers)


def problem_response(
    status: int,
    code: str | None = None,
    detail: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
) -> Response:
    default_code, title = DEFAULTS.get(status, DEFAULTS[500 if status >= 500 else 400])
    code = code or default_code
    body = {
        "type": f"/api/docs#problem-{code}",
        "title": str(title),
        "status": status,
        "code": code,
        "detail": str(detail or DETAILS.get(status) or title),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status, mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    return response


def field_name(location) -> str:
    """("services", 2) → "services[2]"."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def invalid_fields(errors: list[dict]) -> ApiProblem:
    """A 422 naming each invalid field (pydantic's errors, as SpecTree hands them over)."""
    named = [
        {"field": field_name(error.get("loc", ())), "detail": str(error.get("msg", ""))[:200]}
        for error in errors[:20]
    ]
    names = ", ".join(dict.fromkeys(item["field"] for item in named))
    detail = _("These fields are invalid: %(names)s.", names=names)
    return ApiProblem(422, "invalid_fields", detail, named)


# Every `code` the API answers with, for the reference page (each problem's `type` links here).
CODES = {
    "bad_request": _l("The request could not be read (e.g. an address that is not UTF-8)."),
    "invalid_json": _l("The body is not JSON in UTF-8."),
    "unsupported_media_type": _l("A body that is not `application/json`."),
    "invalid_fields": _l(
        "Fields, query parameters or headers that are invalid; `errors` names them."
    ),
    "invalid_cursor": _l("A cursor this listing did not give out."),
    "invalid_idempotency_key": _l("An Idempotency-Key that is empty, too long or not printable."),
    "unauthorized": _l("No Bearer token was sent."),
    "invalid_token": _l("The token is unknown, revoked or expired."),
    "insufficient_scope": _l("A read-only token asked to change something."),
    "not_found": _l("No such address."),
    "order_not_found": _l("No such order, or not yours."),
    "method_not_allowed": _l("The address does not take this method."),
    "order_not_draft": _l("Only a draft can be edited, sent or deleted."),
    "order_not_in_processing": _l("Only an order in processing can be cancelled."),
    "idempotency_key_in_use": _l("The first request with this key is still being handled."),
    "idempotency_key_reused": _l("The key was used for a different request."),
    "order_changed": _l("If-Match names an older state of the order."),
    "invalid_services": _l(
        "The services cannot make an order (unknown, none, too many, too dear)."
    ),
    "too_large": _l("The body is larger than the desk reads."),
    "address_too_long": _l("The address is longer than the desk reads."),
    "rate_limited": _l("Too many requests for this token: wait for Retry-After seconds."),
    "unavailable": _l("The database, Redis or the provider's catalog is not answering."),
    "internal_error": _l("A fault on our side; it is logged."),
}
