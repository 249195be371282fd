"""`GET /catalog`: every service as cards, searchable with or without JavaScript; and
`flask catalog-refresh`, which reads the whole catalog now and keeps it in the cache."""

import logging
import time

import click
from flask import Response, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.catalog import bp
from app.catalog.service import CatalogUnavailable, get_catalog, refresh_catalog
from app.errors import error_response
from app.htmx import wants_fragment
from app.query_args import plain_text

log = logging.getLogger(__name__)

RESULTS_ID = "catalog-results"
UNAVAILABLE_MESSAGE = _l(
    "The provider's catalog is unavailable right now and we have no saved copy to show. "
    "Please try again in a minute."
)


@bp.get("")
@login_required
def index() -> str:
    query = plain_text(request.args, "q", 100)
    snapshot = get_catalog()
    template = "catalog/_results.html" if wants_fragment(RESULTS_ID) else "catalog/index.html"
    context = {"snapshot": snapshot, "services": snapshot.search(query), "query": query}
    return render_template(template, results_id=RESULTS_ID, **context)


@bp.app_errorhandler(CatalogUnavailable)
def catalog_unavailable(error: CatalogUnavailable) -> Response:
    log.warning("catalog unavailable for %s: %s", request.path, error)
    response = make_response(error_response(503, UNAVAILABLE_MESSAGE))
    response.headers["Retry-After"] = "60"
    return response


@bp.cli.command("catalog-refresh")
def catalog_refresh() -> None:
    """Fetch every catalog page from the provider now and replace the cached copy."""
    started = time.perf_counter()
    try:
        snapshot = refresh_catalog()
    except CatalogUnavailable as error:
        raise click.ClickException(f"The provider's catalog could not be read: {error}") from error
    elapsed = time.perf_counter() - started
    click.echo(f"Read {len(snapshot.services)} services in {elapsed:.2f} s")
