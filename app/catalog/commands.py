"""`flask --app wsgi catalog-refresh`: read the whole catalog now and keep it in the cache."""

import time

import click

from app.catalog import bp
from app.catalog.service import CatalogUnavailable, refresh_catalog


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
