"""Every route takes an HTML form in UTF-8 as a body, or none; anything else (JSON, a file, bad
bytes) is refused before CSRF protection, the login limit or a view could misread it."""

from urllib.parse import unquote_to_bytes

from flask import abort, request
from flask_babel import gettext as _

from app.urls import is_api_request

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def refuse_other_bodies() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.url_rule is None:
        return
    if is_api_request():  # JSON, read by the API's own rule (app/api/bodies.py)
        return
    body = request.get_data(cache=True)  # before anything parses it, which would consume it
    multipart = request.mimetype == MULTIPART
    charset = request.mimetype_params.get("charset", "utf-8")
    if request.mimetype not in (URLENCODED, MULTIPART) or charset.lower() not in ("utf-8", "utf8"):
        if body or request.mimetype:
            abort(415, description=_("Send this form as a web form, in UTF-8."))
        return
    if multipart and request.files:
        abort(400, description=_("This form takes text only, not files."))
    if not is_utf8(body if multipart else unquote_to_bytes(body)):
        abort(400, description=_("The form has characters that are not UTF-8."))
    if multipart and body and not request.form:  # werkzeug reads an unparsable body as no fields
        abort(400, description=_("The form could not be read."))


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
