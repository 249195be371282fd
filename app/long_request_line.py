"""Request lines longer than gunicorn's limit get the app's 414 page, not gunicorn's.

gunicorn refuses a request line over `limit_request_line` (gunicorn.conf.py) with a bare English
page of its own, before the app or the request's headers are read. Here the web process reads
on to the line's end instead, keeping only its method and HTTP version, and hands the app the
same request for STAND_IN_PATH: the headers are read as usual, so the app answers with its 414
page in the reader's language (app/long_addresses.py), and the connection goes on as usual.

Reading on holds one read (8 KiB) at a time, never the whole line, and stops after MAX_SKIPPED
bytes, Chromium's longest address (2 MiB): a longer line still gets gunicorn's own 414. The
head must arrive within gunicorn's keep-alive timeout, as any request's must. This works in
gunicorn's Python parser, which gunicorn.conf.py chooses (`http_parser`).
"""

from gunicorn.http.errors import InvalidRequestLine, LimitRequestLine, NoMoreData
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser

from app.long_addresses import STAND_IN_PATH

MAX_SKIPPED = 2 * 1024 * 1024
KEPT = 32  # of the line's start and end: enough for any method, and for " HTTP/1.1" and a CR


class LongLineRequest(Request):
    """gunicorn's request, with an over-long request line read past instead of refused."""

    def read_line(self, unreader, buf, limit=0):
        try:
            return super().read_line(unreader, buf, limit)
        except LimitRequestLine:
            # gunicorn's reading has put all it read of this request in `buf`.
            start, end, rest = read_past_line(unreader, bytes(buf))
            return stand_in_line(start, end), bytearray(rest)


def read_past_line(unreader, data: bytes) -> tuple[bytes, bytes, bytes]:
    """The line's first and last KEPT bytes, and what follows its CRLF. `data` is what has been
    read of the request; the part of the line already dropped is counted in `dropped`."""
    start, dropped = data[:KEPT], 0
    while (end := data.find(b"\r\n")) < 0:
        refuse_bare_lf(data)
        dropped += max(len(data) - KEPT, 0)
        refuse_over_maximum(dropped)
        data = data[-KEPT:] + read_more(unreader, data)
    refuse_bare_lf(data[:end])
    refuse_over_maximum(dropped + end)
    return start, data[:end][-KEPT:], data[end + 2 :]


def refuse_bare_lf(line: bytes) -> None:
    """As gunicorn refuses one: a line that ends differently for another reader is refused."""
    if b"\n" in line:
        raise InvalidRequestLine("bare LF as line terminator")


def refuse_over_maximum(length: int) -> None:
    if length > MAX_SKIPPED:
        raise LimitRequestLine(length, MAX_SKIPPED)


def read_more(unreader, data: bytes) -> bytes:
    chunk = unreader.read()
    if not chunk:
        raise NoMoreData(data[-KEPT:])
    return chunk


def stand_in_line(start: bytes, end: bytes) -> bytes:
    """`METHOD STAND_IN_PATH VERSION`, from the long line's method and version."""
    method = start.split(b" ", 1)[0]
    version = end.rsplit(b" ", 1)[-1]
    return b" ".join((method, STAND_IN_PATH.encode(), version))


def read_long_lines() -> None:
    """Make this process's gunicorn parse requests with LongLineRequest."""
    RequestParser.mesg_class = LongLineRequest
