"""An RQ worker with the app loaded once: `python worker.py`."""

import logging

from app import create_app_or_exit
from app.queue import make_worker


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app_or_exit()
    make_worker(app).work(logging_level="INFO")


if __name__ == "__main__":
    main()
