"""`GET /catalog`: every service as cards, searchable with or without JavaScript."""

import logging

from flask import Response, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.catalog import bp
from app.catalog.service import CatalogUnavailable, get_catalog
from app.errors import error_response
from app.htmx import wants_fragment
from app.query_args import plain_text

log = logging.getLogger(__name__)

RESULTS_ID = "catalog-results"
MAX_QUERY_LENGTH = 100
UNAVAILABLE_MESSAGE = _l(
    "The provider's catalog is unavailable right now and we have no saved copy to show. "
    "Please try again in a minute."
)


@bp.get("")
@login_required
def index() -> str:
    query = plain_text(request.args, "q", MAX_QUERY_LENGTH)
    snapshot = get_catalog()
    template = "catalog/_results.html" if wants_fragment(RESULTS_ID) else "catalog/index.html"
    return render_template(
        template,
        snapshot=snapshot,
        services=snapshot.search(query),
        query=query,
        results_id=RESULTS_ID,
    )


@bp.app_errorhandler(CatalogUnavailable)
def catalog_unavailable(error: CatalogUnavailable) -> Response:
    log.warning("catalog unavailable for %s: %s", request.path, error)
    response = make_response(error_response(503, UNAVAILABLE_MESSAGE))
    response.headers["Retry-After"] = "60"
    return response
