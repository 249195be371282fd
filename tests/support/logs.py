"""Reading what the code logged."""

import logging


def enable_sync_logs(caplog) -> None:
    """Capture the orders code's INFO logs (the sync's summary lines among them)."""
    caplog.set_level(logging.INFO, logger="app.orders")


def problems(caplog) -> list[str]:
    """Log records at WARNING or above."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
