"""gunicorn settings read by the Procfiles' web processes (and by `gunicorn wsgi:app` run from
this directory).

Settings: unsafe ones stop the start before a port opens (`on_starting`).

Metrics: every worker process writes its metrics to PROMETHEUS_MULTIPROC_DIR, and `/metrics`
adds them up. The variable must be set before prometheus_client is first imported, so it is
set here, in the master, before any worker starts: to a fresh private directory unless the
environment names one (share one with `python worker.py` on the same machine to see its
metrics too). With METRICS_ADDRESS (host:port), the master also serves the metrics there, so a
private address can be scraped without a token.
"""

import os
import tempfile

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="clicktomice-metrics-")

from app.config import ConfigError, check_environment, refusal  # noqa: E402 (after the above)


def on_starting(server) -> None:
    """Check the settings before opening a port: unsafe ones stop the start with one line
    (gunicorn prints a RuntimeError's message as `Error: ...` and exits with status 1)."""
    try:
        check_environment()
    except ConfigError as error:
        raise RuntimeError(refusal(error)) from None


def child_exit(server, worker) -> None:
    from app.metrics import process_exited

    process_exited(worker.pid)


def when_ready(server) -> None:
    address = os.environ.get("METRICS_ADDRESS")
    if address:
        from app.metrics.serve import serve_metrics

        host, _, port = address.rpartition(":")
        host = host or "127.0.0.1"
        port = serve_metrics(host, int(port))
        server.log.info("metrics served on http://%s:%s/metrics", host, port)
