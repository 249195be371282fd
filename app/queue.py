"""Every RQ object the app uses: its queues, the scheduler for delayed and periodic jobs, and a
worker that runs each job in a fresh app context and lives through Redis and Postgres outages."""

import logging
import sys
import threading
import time
from collections.abc import Callable

import redis
from flask import Flask, current_app
from rq import Queue, SimpleWorker
from rq_scheduler import Scheduler

from app.extensions import get_redis, redis_options
from app.logs import REQUEST_ID, job_meta, new_request_id
from app.outage import Outage
from app.provider_http import flush_recent_calls

log = logging.getLogger("app.jobs")

# Delete the scheduler lock only while it still names us (compare-and-delete).
RELEASE_IF_OURS = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end"


class AppQueue(Queue):
    """Each job carries the request id of whoever queued it (see app/logs.py)."""

    def create_job(self, *args, meta: dict | None = None, **kwargs):
        return super().create_job(*args, meta=job_meta(meta), **kwargs)


def get_queue(name: str | None = None) -> Queue:
    """A job queue (the default one unless named) on the app's Redis connection."""
    return AppQueue(name or current_app.config["RQ_QUEUE"], connection=get_redis())


def get_send_queue() -> Queue:
    """Sends have their own queue, which workers empty first: a large sync never delays them."""
    return get_queue(current_app.config["RQ_SEND_QUEUE"])


def get_send_scheduler() -> Scheduler:
    """rq-scheduler for the send queue: a retry due later is enqueued there when it is due."""
    queue = get_send_queue()
    return Scheduler(queue=queue, connection=queue.connection)


def process_connection(app: Flask) -> redis.Redis:
    """The worker's or the scheduler's own Redis connection: a timeout long enough for a blocking
    dequeue, short enough to notice a frozen Redis; no retries, as the process's loop retries."""
    options = redis_options(app.config["REDIS_PROCESS_SOCKET_TIMEOUT"], retries=0)
    return redis.Redis.from_url(app.config["REDIS_URL"], socket_keepalive=True, **options)


class PeriodicScheduler(Scheduler):
    """rq-scheduler whose lock names its holder: a scheduler that lost Redis in the middle of
    a poll takes its own lock back at once, instead of waiting for it to expire."""

    def acquire_lock(self) -> bool:
        key, ttl = self.scheduler_lock_key, int(self._interval) + 10
        taken = self.connection.set(key, self.name, ex=ttl, nx=True)
        self._lock_acquired = bool(taken) or self.connection.get(key) == self.name.encode()
        return self._lock_acquired

    def remove_lock(self) -> None:
        if self._lock_acquired:
            self.connection.eval(RELEASE_IF_OURS, 1, self.scheduler_lock_key, self.name)
            self._lock_acquired = False

    def poll(self, first: Callable[["PeriodicScheduler"], object] | None = None) -> bool:
        """Under the lock, run `first` (registering the periodic jobs: two schedulers doing it at
        once could each schedule a job the other has just enqueued), then enqueue the due jobs.
        False if another scheduler held the lock."""
        if not self.acquire_lock():
            return False
        try:
            if first is not None:
                first(self)
            self.enqueue_jobs()
        finally:
            self.remove_lock()
        return True


def make_scheduler(app: Flask) -> PeriodicScheduler:
    """The scheduler process's rq-scheduler on the default queue (see app/processes.py)."""
    return PeriodicScheduler(
        queue_name=app.config["RQ_QUEUE"],
        connection=process_connection(app),
        interval=app.config["SCHEDULER_POLL_SECONDS"],
    )


class OutageLog(logging.LoggerAdapter):
    """RQ's worker logger, with the Redis errors it logs on every retry (or when it gives up
    its loop) folded into the process's one outage warning."""

    def __init__(self, logger: logging.Logger, outage: Outage):
        super().__init__(logger, {})
        self.outage = outage

    def error(self, msg, *args, **kwargs):
        if "could not connect to Redis" in str(msg):
            self.outage.failed(args[1] if len(args) > 1 else str(msg))
        elif "quitting" in str(msg) and isinstance(sys.exc_info()[1], redis.RedisError):
            self.outage.failed(sys.exc_info()[1])
        else:
            super().error(msg, *args, **kwargs)


class AppWorker(SimpleWorker):
    """Runs each job in this process (no fork, so no inherited connection pools) in its own app
    context, so no database session leaks into the next; while Postgres is down, after a capped
    back-off. A thread beats the heartbeat every WORKER_HEARTBEAT_SECONDS, also during a long
    job (RQ beats only between jobs), so `/readyz` can tell a busy worker from a dead one."""

    def __init__(self, *args, app: Flask, outage: Outage | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.flask_app = app
        self.stop_asked = False
        self.max_connection_wait_time = app.config["OUTAGE_BACKOFF_CAP_SECONDS"]
        self.redis_outage = outage
        if outage is not None:
            self.log = OutageLog(self.log, outage)
        self.beating = threading.Event()

    def request_stop(self, signum, frame):
        self.stop_asked = True
        super().request_stop(signum, frame)

    def heartbeat(self, timeout=None, pipeline=None):
        """RQ beats before every dequeue and after every job: a beat sent straight to Redis
        (not queued on a pipeline) that went through means Redis is back."""
        super().heartbeat(timeout, pipeline)
        if pipeline is None and self.redis_outage is not None:
            self.redis_outage.recovered()

    def execute_job(self, job, queue):
        database = self.flask_app.extensions.get("database_outage")
        if database is not None and database.ongoing:
            time.sleep(database.wait_seconds())
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
        threading.Thread(target=self.keep_beating, name="heartbeat", daemon=True).start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self.beating.set()

    def keep_beating(self) -> None:
        """If Redis lost the worker's record (restarted without persistence, or flushed), a beat
        registers it again, or monitoring would never see this worker."""
        every = self.flask_app.config["WORKER_HEARTBEAT_SECONDS"]
        while not self.beating.wait(every):
            try:
                if self.connection.hexists(self.key, "birth"):
                    self.heartbeat()
                    continue
                self.connection.delete(self.key)
                self.register_birth()  # ValueError if RQ's heartbeat raced us: next beat retries
                log.warning("worker %s registered again: Redis had lost its record", self.name)
            except (redis.RedisError, ValueError) as error:
                log.warning("worker heartbeat failed: %s", error)


def log_job(job, seconds: float) -> None:
    status = getattr(job.get_status(refresh=False), "value", "unknown")
    ms = round(seconds * 1000, 1)
    extra = {"job_id": job.id, "job": job.func_name, "status": status, "duration_ms": ms}
    log.info("job %s %s %s %.1fms", job.func_name, job.id, status, ms, extra=extra)


def get_webhook_queue() -> Queue:
    """Webhook deliveries, emptied after sends and the default queue."""
    return get_queue(current_app.config["RQ_WEBHOOK_QUEUE"])


def get_webhook_scheduler() -> Scheduler:
    """rq-scheduler for the webhook queue: a delivery retried later is enqueued when it is due."""
    queue = get_webhook_queue()
    return Scheduler(queue=queue, connection=queue.connection)


def make_worker(app: Flask, outage: Outage | None = None) -> AppWorker:
    """A worker on the send queue, then the default queue, then webhooks. Its blocking dequeue
    waits less than its connection's timeout, so only a Redis that stopped answering times out."""
    connection = process_connection(app)
    names = (app.config["RQ_SEND_QUEUE"], app.config["RQ_QUEUE"], app.config["RQ_WEBHOOK_QUEUE"])
    queues = [AppQueue(name, connection=connection) for name in names]
    ttl = int(app.config["REDIS_PROCESS_SOCKET_TIMEOUT"]) + 10  # RQ waits ttl - 15 s to dequeue
    return AppWorker(
        queues, connection=connection, app=app, outage=outage, worker_ttl=ttl, queue_class=AppQueue
    )
