"""What every form endpoint accepts as its body, decided once for all of them.

The app's forms are HTML forms, and htmx sends them as a browser does. So a request that carries
a body (POST, PUT, PATCH, DELETE) to one of the app's routes sends

- `application/x-www-form-urlencoded`, or `multipart/form-data` with text parts only,
- in UTF-8: no other charset declared, and no byte, raw or percent-encoded, that is not UTF-8,

or no body and no content type at all. Anything else is refused before CSRF protection, the
login limit or a view reads it: another content type (JSON among them) is a 415, a file part,
bytes that are not UTF-8 or a multipart body that cannot be read a 400.

What passes leaves `request.form` holding texts only, and that is all the views, Flask-WTF's forms
and the login limit read. Flask-WTF would otherwise hand a form a file, or read a JSON body as
form data whatever its values; werkzeug would drop a body that is not UTF-8 without a word, or
read its bad bytes as U+FFFD.
"""

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from flask_babel import gettext as _

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UTF8_NAMES = frozenset({"utf-8", "utf8"})


def refuse_other_bodies() -> None:
    """Refuse a request to a route whose body is not a form of texts in UTF-8 (see above)."""
    if request.method not in BODY_METHODS or request.url_rule is None:
        return
    body = request.get_data(cache=True)  # before anything parses it, which would consume it
    if request.mimetype not in (URLENCODED, MULTIPART):
        if body or request.mimetype:
            abort(415, description=_("Send this form as a web form, in UTF-8."))
        return
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower() not in UTF8_NAMES:
        abort(415, description=_("Send this form as a web form, in UTF-8."))
    if request.mimetype == MULTIPART:
        check_multipart(body)
    elif not is_utf8(unquote_to_bytes(body)):
        abort(400, description=_("The form has characters that are not UTF-8."))


def check_multipart(body: bytes) -> None:
    """Text parts only, all of them UTF-8, and something werkzeug could read (it reads a body
    it cannot parse as no fields at all)."""
    if request.files:
        abort(400, description=_("This form takes text only, not files."))
    if not is_utf8(body):
        abort(400, description=_("The form has characters that are not UTF-8."))
    if body and not request.form:
        abort(400, description=_("The form could not be read."))


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def init_app(app: Flask) -> None:
    app.before_request(refuse_other_bodies)
