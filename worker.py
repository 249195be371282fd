"""An RQ worker with the app loaded once: `python worker.py`.

It logs one line per job (RQ's own per-job lines are turned down to warnings) and, with
PROMETHEUS_MULTIPROC_DIR set, writes its metrics where the web app's `/metrics` reads them.
"""

import logging

from app import create_app_or_exit
from app.logs import configure_logging
from app.metrics import process_exited
from app.queue import make_worker

log = logging.getLogger("app.jobs")


def main() -> None:
    configure_logging()
    app = create_app_or_exit()
    worker = make_worker(app)
    log.info("worker %s listening on %s", worker.name, ", ".join(worker.queue_names()))
    try:
        worker.work(logging_level="WARNING")
    finally:
        process_exited()
        log.info("worker %s stopped", worker.name)


if __name__ == "__main__":
    main()
