"""Every RQ object the app uses: its queues, the scheduler for delayed and periodic jobs, and a
worker that runs each job in a fresh app context."""

import logging
import threading
import time

import redis
from flask import Flask, current_app
from redis import Redis
from rq import Queue, SimpleWorker
from rq_scheduler import Scheduler

from app.extensions import get_redis
from app.logs import REQUEST_ID, job_meta, new_request_id

log = logging.getLogger("app.jobs")


class AppQueue(Queue):
    """Each job carries the request id of whoever queued it (see app/logs.py)."""

    def create_job(self, *args, meta: dict | None = None, **kwargs):
        return super().create_job(*args, meta=job_meta(meta), **kwargs)


def get_queue(name: str | None = None) -> Queue:
    """A job queue (the default one unless named), on the app's Redis connection (short
    timeouts)."""
    return AppQueue(name or current_app.config["RQ_QUEUE"], connection=get_redis())


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
    own app context so the database session never leaks from one job into the next.

    A thread beats the worker's heartbeat every WORKER_HEARTBEAT_SECONDS, also while a long
    job runs (RQ beats only between jobs, and every few minutes when idle), so `/readyz` can
    tell a busy worker from a dead one.
    """

    def __init__(self, *args, app: Flask, **kwargs):
        super().__init__(*args, **kwargs)
        self.flask_app = app
        self.beating = threading.Event()

    def execute_job(self, job, queue):
        token = REQUEST_ID.set(job.meta.get("request_id") or new_request_id())
        started = time.perf_counter()
        try:
            with self.flask_app.app_context():
                try:
                    return super().execute_job(job, queue)
                finally:
                    flush_recent_calls()
        finally:
            log_job(job, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def work(self, *args, **kwargs):
        beat = threading.Thread(target=self.keep_beating, name="heartbeat", daemon=True)
        beat.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self.beating.set()

    def keep_beating(self) -> None:
        every = self.flask_app.config["WORKER_HEARTBEAT_SECONDS"]
        while not self.beating.wait(every):
            try:
                self.beat()
            except (redis.RedisError, ValueError) as error:
                log.warning("worker heartbeat failed: %s", error)

    def beat(self) -> None:
        """A heartbeat; if Redis lost the worker's record (restarted without persistence, or
        flushed), register it again, or monitoring would never see this worker."""
        if self.connection.hexists(self.key, "birth"):
            self.heartbeat()
            return
        self.connection.delete(self.key)
        self.register_birth()  # (ValueError if RQ's own heartbeat raced us: next beat retries)
        log.warning("worker %s registered again: Redis had lost its record", self.name)


def flush_recent_calls() -> None:
    """Move the order service client's recent-call sums (app/metrics/recent.py) to Redis."""
    client = current_app.extensions.get("order_client")
    if client is not None:
        client.recent.flush(get_redis())


def log_job(job, seconds: float) -> None:
    """The job's one line: what ran, how it ended, how long it took."""
    status = getattr(job.get_status(refresh=False), "value", "unknown")
    log.info(
        "job %s %s %s %.1fms",
        job.func_name,
        job.id,
        status,
        seconds * 1000,
        extra={
            "job_id": job.id,
            "job": job.func_name,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


def make_worker(app: Flask, connection: Redis | None = None) -> AppWorker:
    """A worker on the send queue, then the default queue; its connection has no read timeout
    (it blocks on BLPOP)."""
    connection = connection or Redis.from_url(app.config["REDIS_URL"])
    names = (app.config["RQ_SEND_QUEUE"], app.config["RQ_QUEUE"])
    queues = [AppQueue(name, connection=connection) for name in names]
    return AppWorker(queues, connection=connection, app=app, queue_class=AppQueue)
