"""The operators' console under /ops: every order, each order's story, health, job queues.
Anyone but an operator gets a 404 for every path under the prefix, whatever the method."""

from flask import Blueprint, abort, request
from flask_login import current_user

PREFIX = "/ops"

bp = Blueprint("ops", __name__)


def hide_from_everyone_else():
    """Runs before routing and every check that could refuse a request (CSRF, the form body
    rule), so that none tells a console path from a missing one."""
    inside = request.path == PREFIX or request.path.startswith(PREFIX + "/")
    if inside and not (current_user.is_authenticated and current_user.is_operator):
        abort(404)


from app.ops import routes, tokens  # noqa: E402,F401
