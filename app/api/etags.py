"""ETags: every GET answers with one and a 304 to If-None-Match; an order's also carries its
revision, so that If-Match on a change is checked by the same guarded UPDATE the pages use."""

import hashlib
import re

from flask import Response, request
from flask_babel import gettext as _
from pydantic import BaseModel

from app.problems import ApiProblem

ORDER_TAG = re.compile(r'^(?:W/)?"r(\d{1,9})-[0-9a-f]{16}"$')


def json_response(model: BaseModel, status: int = 200, tag: str | None = None) -> Response:
    return body_response(model.model_dump_json(), status, tag)


def body_response(body: str, status: int = 200, tag: str | None = None) -> Response:
    response = Response(body, status, mimetype="application/json")
    response.set_etag(tag or body_tag(body))
    return response


def body_tag(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def order_tag(body: str, revision: int) -> str:
    return f"r{revision}-{hashlib.sha256(body.encode()).hexdigest()[:16]}"


def read_response(model: BaseModel, tag: str | None = None) -> Response:
    """The GET's answer, or a 304 when the client's If-None-Match names it."""
    body = model.model_dump_json()
    return read_body(body, tag or body_tag(body))


def read_body(body: str, tag: str) -> Response:
    """The GET's answer of `body` tagged `tag`, or a 304 when If-None-Match names the tag."""
    if request.if_none_match.contains_weak(tag):
        not_modified = Response(status=304)
        not_modified.set_etag(tag)
        return not_modified
    return body_response(body, tag=tag)


def checked_revision(current_tag: str) -> int | None:
    """The revision the client's If-Match names (None without the header); 412 if its tag is
    not the order's current one."""
    if not request.headers.get("If-Match"):
        return None
    if request.if_match.star_tag or request.if_match.contains(current_tag):
        return int(current_tag[1:].split("-", 1)[0])
    raise ApiProblem(
        412,
        "order_changed",
        _("The order changed since you read it. Read it again, then decide."),
    )
