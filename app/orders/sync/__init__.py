"""The status sync: learn from the order service when orders in processing are finished."""

import click

from app.orders.sync.answers import recheck_status
from app.orders.sync.engine import SyncSummary
from app.orders.sync.run import run_batch, run_sync

__all__ = ["SyncSummary", "recheck_status", "run_batch", "run_sync", "sync_orders_command"]


@click.command("sync-orders")
@click.option(
    "--fan-out",
    is_flag=True,
    help="Queue a large backlog as batch jobs for the workers instead of checking it here.",
)
def sync_orders_command(fan_out: bool) -> None:
    """Check the due orders in processing once and print what changed."""
    click.echo(run_sync(allow_fan_out=fan_out).describe())
