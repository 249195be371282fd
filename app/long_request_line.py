"""Request lines over gunicorn's limit get the app's 414 page: the web process reads on to the
line's end (up to MAX_SKIPPED) and hands the app the same request for STAND_IN_PATH."""

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
            # The long line's method and version, around STAND_IN_PATH.
            method, version = start.split(b" ", 1)[0], end.rsplit(b" ", 1)[-1]
            return b" ".join((method, STAND_IN_PATH.encode(), version)), bytearray(rest)


def read_past_line(unreader, data: bytes) -> tuple[bytes, bytes, bytes]:
    """The line's first and last KEPT bytes, and what follows its CRLF."""
    start, dropped = data[:KEPT], 0
    while (end := data.find(b"\r\n")) < 0:
        dropped += max(len(data) - KEPT, 0)
        refuse(data, dropped)
        chunk = unreader.read()
        if not chunk:
            raise NoMoreData(data[-KEPT:])
        data = data[-KEPT:] + chunk
    refuse(data[:end], dropped + end)
    return start, data[:end][-KEPT:], data[end + 2 :]


def refuse(line: bytes, length: int) -> None:
    """A bare LF, as gunicorn refuses it (another reader would end the line elsewhere)."""
    if b"\n" in line:
        raise InvalidRequestLine("bare LF as line terminator")
    if length > MAX_SKIPPED:
        raise LimitRequestLine(length, MAX_SKIPPED)


def read_long_lines() -> None:
    """Make this process's gunicorn parse requests with LongLineRequest."""
    RequestParser.mesg_class = LongLineRequest
