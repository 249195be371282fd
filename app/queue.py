"""Every RQ object the app uses: its queues, the scheduler for delayed and periodic jobs, and a
worker that runs each job in a fresh app context."""

from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq_scheduler import Scheduler

from app.extensions import get_redis


def get_queue(name: str | None = None) -> Queue:
    """A job queue (the default one unless named), on the app's Redis connection (short
    timeouts)."""
    return Queue(name or current_app.config["RQ_QUEUE"], connection=get_redis())


def get_send_queue() -> Queue:
    """Sends have their own queue, which workers empty first, so a large sync never delays
    a customer's order."""
    return get_queue(current_app.config["RQ_SEND_QUEUE"])


def get_send_scheduler() -> Scheduler:
    """rq-scheduler for the send queue: a retry due later is enqueued there when it is due."""
    queue = get_send_queue()
    return Scheduler(queue=queue, connection=queue.connection)


def make_scheduler(app: Flask, connection: Redis | None = None) -> Scheduler:
    """The scheduler process's rq-scheduler on the default queue, polling every
    SCHEDULER_POLL_SECONDS; its connection has no read timeout (it waits on Redis)."""
    connection = connection or Redis.from_url(app.config["REDIS_URL"])
    return Scheduler(
        queue_name=app.config["RQ_QUEUE"],
        connection=connection,
        interval=app.config["SCHEDULER_POLL_SECONDS"],
    )


class AppWorker(SimpleWorker):
    """Runs jobs in this process (no fork, so no inherited connection pools), each job in its
    own app context so the database session never leaks from one job into the next."""

    def __init__(self, *args, app: Flask, **kwargs):
        super().__init__(*args, **kwargs)
        self.flask_app = app

    def execute_job(self, job, queue):
        with self.flask_app.app_context():
            return super().execute_job(job, queue)


def make_worker(app: Flask, connection: Redis | None = None) -> AppWorker:
    """A worker on the send queue, then the default queue; its connection has no read timeout
    (it blocks on BLPOP)."""
    connection = connection or Redis.from_url(app.config["REDIS_URL"])
    names = (app.config["RQ_SEND_QUEUE"], app.config["RQ_QUEUE"])
    queues = [Queue(name, connection=connection) for name in names]
    return AppWorker(queues, connection=connection, app=app)
