"""GET /api/v1/openapi.json: the OpenAPI 3.1 document, made by SpecTree from the operations'
models and docstrings (it cannot drift from the code), with the problem media type set."""

import copy
import json

from flask import Response, current_app

from app.api.etags import body_tag, read_body
from app.api.spec import bp, spec

PROBLEM_MEDIA_TYPE = "application/problem+json"


def document() -> dict:
    """The document, built once per app."""
    cached = current_app.extensions.get("api_document")
    if cached is None:
        cached = current_app.extensions["api_document"] = finish(copy.deepcopy(spec.spec))
    return cached


def header(description: str, kind: str = "string") -> dict:
    return {"description": description, "schema": {"type": kind}}


RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": header("Requests allowed per window for this token.", "integer"),
    "RateLimit-Remaining": header("Requests left in this window.", "integer"),
    "RateLimit-Reset": header("Seconds until the window ends.", "integer"),
    "RateLimit-Policy": header('The limit and its window, e.g. "600;w=60".'),
}


def headers_of(method: str, status: str) -> dict:
    """The headers an answer may carry (none is promised: a Redis outage drops the rate's)."""
    found = dict(RATE_LIMIT_HEADERS) if status != "401" else {}
    if status in ("200", "201", "202", "304") and method != "delete":
        found["ETag"] = header("Send back in If-None-Match (GET) or If-Match (a change).")
    if status == "201":
        found["Location"] = header("The new order's address.")
    if status == "429":
        found["Retry-After"] = header("Seconds to wait.", "integer")
    if method == "post":
        found["Idempotent-Replayed"] = header('"true" on the replay of a first answer.')
    return found


def finish(built: dict) -> dict:
    """Problem answers as application/problem+json; no body on 204 and 304; the headers."""
    for operations in built["paths"].values():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                answer["headers"] = headers_of(method, status)
                content = answer.get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                if schema.get("$ref", "").split("/")[-1].startswith("Problem"):
                    answer["content"] = {PROBLEM_MEDIA_TYPE: content["application/json"]}
                if status in ("204", "304"):
                    answer.pop("content", None)
    return without_null_defaults(built)


def without_null_defaults(node):
    """Drop `"default": null` where null is not allowed (optional parameters and fields)."""
    if isinstance(node, dict):
        return {
            k: without_null_defaults(v)
            for k, v in node.items()
            if not (k == "default" and v is None)
        }
    if isinstance(node, list):
        return [without_null_defaults(v) for v in node]
    return node


@bp.get("/openapi.json")
def openapi_document() -> Response:
    body = json.dumps(document(), ensure_ascii=False)
    return read_body(body, body_tag(body))
