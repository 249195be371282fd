"""The operators' console under /ops: every order, each order's story, health, job queues.

Anyone who is not an operator gets a 404 for every path under the prefix, whatever the method,
exactly as for a page that does not exist.
"""

from flask import Blueprint, abort, request
from flask_login import current_user

PREFIX = "/ops"

bp = Blueprint("ops", __name__)


def is_operator() -> bool:
    return current_user.is_authenticated and current_user.is_operator


def hide_from_everyone_else():
    """Runs before routing errors too, so even a wrong method or path answers 404; and before
    every other check that could refuse a request (CSRF, the form body rule), so that none
    tells a console path from a missing one (the app factory registers it first but for the
    check on an address's length, which refuses every path alike)."""
    inside = request.path == PREFIX or request.path.startswith(PREFIX + "/")
    if inside and not is_operator():
        abort(404)


from app.ops import labels, routes  # noqa: E402,F401
