"""Reading query parameters: whatever a parameter holds, a page gets a usable value (the
default for nonsense), never an exception and never a text the database refuses.

The query string itself is UTF-8 by the time a view reads it (app/security.py).
"""

import re
from collections.abc import Container

from werkzeug.datastructures import MultiDict

from app.urls import CONTROL_CHARACTERS

# Only ASCII digits make a page number: `str.isdigit` also accepts "²", which `int` refuses,
# and `int` refuses more than 4300 digits.
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def page_number(args: MultiDict, name: str = "page") -> int:
    """The page asked for, or the first page."""
    raw = args.get(name, "")
    return max(int(raw), 1) if PAGE_NUMBER.fullmatch(raw) else 1


def one_of(args: MultiDict, name: str, allowed: Container[str]) -> str:
    """The parameter if it is one of `allowed`, else "" (no filter)."""
    value = args.get(name, "")
    return value if value in allowed else ""


def plain_text(args: MultiDict, name: str, max_length: int) -> str:
    """The parameter's words, one space apart, clipped to `max_length` characters. Control
    characters (NUL among them, which Postgres refuses in a text) count as spaces."""
    words = CONTROL_CHARACTERS.sub(" ", args.get(name, "")).split()
    return " ".join(words)[:max_length]
