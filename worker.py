"""An RQ worker with the app loaded once: `python worker.py`. It lives through Redis and
Postgres outages (see app/processes.py), logs one line per job and, with
PROMETHEUS_MULTIPROC_DIR set, writes its metrics where the web app's `/metrics` reads them.
It runs WORKER_NICENESS below the web's CPU priority (its jobs' work horses too): on a machine
they share, the minute's status sync takes the CPU that customers' pages leave."""

import os

from app import create_app_or_exit
from app.logs import configure_logging
from app.metrics import process_exited
from app.processes import exit_on_failure, run_worker


def main() -> None:
    with exit_on_failure("worker"):
        try:
            app = create_app_or_exit()
            configure_logging(app.config)
            os.nice(app.config["WORKER_NICENESS"])
            run_worker(app)
        finally:
            process_exited()


if __name__ == "__main__":
    main()
