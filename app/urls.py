"""Helpers for redirect targets."""

import re
from urllib.parse import urlsplit

MAX_TARGET_LENGTH = 2000
# Control characters (C0, DEL, C1): a CR/LF would break the Location header, and browsers drop
# tabs and newlines from URLs, so "/\t/evil.example" would become "//evil.example".
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def local_path(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback` (never an open redirect, never a
    header that cannot be sent)."""
    if (
        not target
        or len(target) > MAX_TARGET_LENGTH
        or CONTROL_CHARACTERS.search(target)
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return fallback
    parts = urlsplit(target)
    return fallback if parts.scheme or parts.netloc else target
