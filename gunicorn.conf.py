"""Settings of the web process, read by gunicorn (`--config gunicorn.conf.py`, see the Procfiles).

The workers are gevent's: an open live-update stream waits on the network almost all the time,
and as a greenlet it costs a few kilobytes, so one process holds a thousand streams beside its
page requests (a thread per stream held eight). gunicorn's gevent worker patches the standard
library; psycopg2 is a C extension, so it is made cooperative here, and a query then waits
without stopping the process's other requests. The figures that chose this: bench/README.md.
"""

import os

from app.config import ConfigError, check_environment, refusal

worker_class = "gevent"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = 2000
timeout = 60


def on_starting(server) -> None:
    """Check the settings before opening a port: unsafe ones stop the start with one line
    (gunicorn prints a RuntimeError's message as `Error: ...` and exits with status 1)."""
    try:
        check_environment()
    except ConfigError as error:
        raise RuntimeError(refusal(error)) from None


def post_worker_init(worker) -> None:
    """Make psycopg2 wait cooperatively, once gevent's worker has patched the process."""
    from gevent import monkey

    if monkey.is_module_patched("socket"):
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()
