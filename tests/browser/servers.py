"""The processes behind the browser: the app over HTTP and the sync's clock (the worker process
is in tests/support/processes.py)."""

import threading

from flask import Flask
from werkzeug.serving import make_server

from app.queue import get_queue

SYNC_JOB = "app.orders.jobs.sync_orders"


class LiveServer:
    """The app served for real by a threaded werkzeug server on a free port."""

    def __init__(self, app: Flask):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class SyncClock:
    """Plays the scheduler's part on a short interval: queues the real periodic sync job for
    the worker whenever the queue is empty (rq-scheduler polls only every few seconds)."""

    def __init__(self, app: Flask, every: float):
        self.app = app
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with self.app.app_context():
            queue = get_queue()
            while not self.stopped.wait(self.every):
                if queue.count == 0:
                    queue.enqueue(SYNC_JOB, result_ttl=10)

    def __enter__(self) -> "SyncClock":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
