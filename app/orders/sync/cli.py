"""`flask sync-orders`: one status sync pass in the foreground."""

import click

from app.orders.sync.run import run_sync


@click.command("sync-orders")
@click.option(
    "--fan-out",
    is_flag=True,
    help="Queue a large backlog as batch jobs for the workers instead of checking it here.",
)
def sync_orders_command(fan_out: bool) -> None:
    """Check the due orders in processing once and print what changed."""
    summary = run_sync(allow_fan_out=fan_out)
    click.echo(summary.describe())
