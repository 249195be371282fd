"""An RQ worker with the app loaded once: `python worker.py`. It lives through Redis and
Postgres outages (see app/processes.py)."""

from app import create_app_or_exit
from app.processes import configure_logging, exit_on_failure, run_worker


def main() -> None:
    configure_logging()
    with exit_on_failure("worker"):
        run_worker(create_app_or_exit())


if __name__ == "__main__":
    main()
