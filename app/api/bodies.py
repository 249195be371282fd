"""Request bodies: JSON in UTF-8, an object, or none. Everything else is refused before a view
reads it (`request.get_json` would quietly read bad JSON as no body at all)."""

import json

from flask import request
from flask_babel import gettext as _

from app.problems import ApiProblem


def is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def read_json_body() -> None:
    """Parse the body once (its parsed form is cached for the view); 415 or 400 when unreadable."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    data = request.get_data(cache=True)
    if not data:
        return
    if not is_json(request.mimetype):
        raise ApiProblem(415)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiProblem(400, "invalid_json", _("The body is not UTF-8.")) from None
    try:
        parsed = json.loads(text, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        raise ApiProblem(400, "invalid_json", _("The body is not valid JSON.")) from None
    request._cached_json = (parsed, parsed)


def refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")
