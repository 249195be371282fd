"""GET /api/docs: the reference, drawn on the server from the OpenAPI document (no script, so
the CSP stays 'self'), with a curl and a Python example for every operation."""

from flask import Blueprint, render_template

from app.api.document import document
from app.api.examples import operations
from app.problems import CODES

docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get("/api/docs")
def reference():
    built = document()
    return render_template(
        "api/docs.html", document=built, operations=operations(built), problem_codes=CODES
    )
