"""Addresses too long to serve (no page reads or makes one) get a 414 on the app's own error
page, as do request lines gunicorn found too long (app/long_request_line.py)."""

from flask import abort, request

MAX_ADDRESS_LENGTH = 4096
STAND_IN_PATH = "/address-too-long"


def refuse_long_address() -> None:
    too_long = len(request.path) + len(request.query_string) > MAX_ADDRESS_LENGTH
    if too_long or request.path == STAND_IN_PATH:
        abort(414)
