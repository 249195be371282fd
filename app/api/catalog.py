"""GET /catalog/services: the provider's catalog as the pages show it, searched and paged."""

from flask import request

from app.api import cursors, serialize
from app.api.etags import read_response
from app.api.schemas import CatalogQuery, ServicePage
from app.api.spec import operation
from app.catalog.service import get_catalog


@operation("GET", "/catalog/services", ok=(200, ServicePage), tag="catalog", query=CatalogQuery)
def list_services():
    """List the catalog's services

    Every word of `q` must appear in a service's name or description (case ignored)."""
    query: CatalogQuery = request.context.query
    start = (cursors.decode("services", query.cursor) or {}).get("offset", 0)
    if not isinstance(start, int) or start < 0:
        cursors.decode("services", "")  # a forged position: the cursor's 400
    found = get_catalog().search(query.q)
    shown = found[start : start + query.limit]
    more = start + query.limit < len(found)
    next_cursor = cursors.encode("services", offset=start + query.limit) if more else None
    page = ServicePage(data=[serialize.service(s) for s in shown], next_cursor=next_cursor)
    return read_response(page)
