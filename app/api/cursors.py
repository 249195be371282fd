"""Opaque cursors: what the next page starts after, as URL-safe base64 of a little JSON. A
cursor made for one listing, altered or garbled, is a 400 `invalid_cursor`."""

import base64
import binascii
import json

from flask_babel import gettext as _

from app.problems import ApiProblem


def encode(kind: str, **position) -> str:
    text = json.dumps({"k": kind, **position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(kind: str, cursor: str | None) -> dict | None:
    """The position in `cursor` (None for the first page)."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw.decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        position = None
    if not isinstance(position, dict) or position.pop("k", None) != kind:
        detail = _("This cursor is not one this listing gave out.")
        raise ApiProblem(400, "invalid_cursor", detail, [{"field": "cursor", "detail": detail}])
    return position
