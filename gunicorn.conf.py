"""gunicorn settings read by the Procfiles' web processes."""

from app.config import ConfigError, check_environment, refusal


def on_starting(server) -> None:
    """Check the settings before opening a port: unsafe ones stop the start with one line
    (gunicorn prints a RuntimeError's message as `Error: ...` and exits with status 1)."""
    try:
        check_environment()
    except ConfigError as error:
        raise RuntimeError(refusal(error)) from None
