"""htmx requests: which ones swap part of a page, and the `Vary` header that keeps caches honest."""

from flask import Response, request


def wants_fragment(target: str | None = None) -> bool:
    """An htmx request that swaps part of a page; with `target`, the element with that id."""
    headers = request.headers
    if headers.get("HX-Request") != "true":
        return False
    if headers.get("HX-Boosted") or headers.get("HX-History-Restore-Request"):
        return False
    return target is None or headers.get("HX-Target") == target


def vary_on_htmx(response: Response) -> Response:
    """The same URL answers with a page or a fragment, so caches must key on these headers."""
    response.vary.update(("HX-Request", "HX-Target"))
    return response
