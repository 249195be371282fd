"""Helpers for redirect targets."""

from urllib.parse import urlsplit


def local_path(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback` (never an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    return fallback if parts.scheme or parts.netloc else target
