"""Bearer tokens only: the session cookie is never read under /api, so no page can be made to
call the API for its visitor, and the API needs no CSRF token."""

from flask import g, request
from flask_babel import gettext as _

from app.api.tokens import find_live_token, note_use
from app.problems import ApiProblem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def bearer_secret() -> str | None:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def authenticate() -> None:
    """Set g.api_token (a LiveToken) and g.user_id from the request's token, or a 401."""
    secret = bearer_secret()
    found = find_live_token(secret) if secret else None
    if found is None:
        if secret is None:
            raise ApiProblem(401, "unauthorized", headers=CHALLENGE)
        detail = _("This token is unknown, revoked or expired.")
        raise ApiProblem(401, "invalid_token", detail, headers=CHALLENGE)
    g.api_token, g.user_id = found, found.user_id
    note_use(g.api_token)


def require_write() -> None:
    if not g.api_token.can_write:
        detail = _("This token may only read. Changes need a token with read and write access.")
        raise ApiProblem(403, "insufficient_scope", detail)
