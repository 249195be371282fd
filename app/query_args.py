"""Query parameters: a usable value whatever one holds (the default for nonsense)."""

import re
from collections.abc import Container

from werkzeug.datastructures import MultiDict

from app.urls import CONTROL_CHARACTERS

# ASCII digits only (`str.isdigit` takes "²", which `int` refuses), and not 4300 of them either.
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def page_number(args: MultiDict) -> int:
    raw = args.get("page", "")
    return max(int(raw), 1) if PAGE_NUMBER.fullmatch(raw) else 1


def one_of(args: MultiDict, name: str, allowed: Container[str]) -> str:
    value = args.get(name, "")
    return value if value in allowed else ""


def plain_text(args: MultiDict, name: str, max_length: int) -> str:
    """The words, one space apart, clipped; control characters such as NUL count as spaces."""
    words = CONTROL_CHARACTERS.sub(" ", args.get(name, "")).split()
    return " ".join(words)[:max_length]
