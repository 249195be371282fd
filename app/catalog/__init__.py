"""The provider's catalog: HTTP client, cached reads, the catalog page and its command."""

from flask import Blueprint

# cli_group=None puts the blueprint's commands at the top level: `flask catalog-refresh`.
bp = Blueprint("catalog", __name__, cli_group=None)

from app.catalog import routes  # noqa: E402,F401
