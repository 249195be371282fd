"""Addresses too long to serve: a 414 on the app's own error page, in the reader's language.

No page reads a query parameter longer than 254 characters (a search is read up to 100), and
no address the app makes comes near MAX_ADDRESS_LENGTH, so a longer one (its path and query
string together) is refused before any other check or view reads it.

The web process reads request lines up to gunicorn's own maximum (`limit_request_line`,
gunicorn.conf.py). A longer line never reaches the app as it was sent: the web process
(app/long_request_line.py) reads past it and hands the app the same request, headers and
all, for STAND_IN_PATH, which is answered here with the same 414.
"""

from flask import Flask, abort, request

MAX_ADDRESS_LENGTH = 4096
STAND_IN_PATH = "/address-too-long"


def refuse_long_address() -> None:
    too_long = len(request.path) + len(request.query_string) > MAX_ADDRESS_LENGTH
    if too_long or request.path == STAND_IN_PATH:
        abort(414)


def init_app(app: Flask) -> None:
    app.before_request(refuse_long_address)
