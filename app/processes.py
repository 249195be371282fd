"""The worker's and the scheduler's main loops, which live through their dependencies' outages.

Redis cut, frozen or restarted: the loop logs one warning, waits a growing pause capped at
OUTAGE_BACKOFF_CAP_SECONDS, tries again on a fresh connection, and logs once more when Redis
is back. Postgres down: the jobs say so once and are retried later (app/orders/jobs/). A
process stops only when asked (SIGTERM, SIGINT: exit status 0) or on an error it cannot live
with, such as a bad setting: then it exits with status 1 and one line saying why.
"""

import logging
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import redis
from flask import Flask

from app.outage import Outage, one_line
from app.queue import make_scheduler, make_worker

log = logging.getLogger("processes")


@contextmanager
def exit_on_failure(process: str) -> Iterator[None]:
    """Turn an error that ends the process into exit status 1 and one clear log line."""
    try:
        yield
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:
        log.critical("%s stopped: %s", process, one_line(error))
        sys.exit(1)


@contextmanager
def stop_on_signal() -> Iterator[None]:
    """While inside, SIGTERM and SIGINT end the process at once with status 0."""

    def stop(signum, frame):
        raise SystemExit(0)

    saved = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def redis_outage(app: Flask) -> Outage:
    return Outage("Redis", log, app.config["OUTAGE_BACKOFF_CAP_SECONDS"])


def run_worker(app: Flask) -> None:
    """Work the queues until asked to stop, starting a fresh RQ worker whenever RQ gives up
    its loop (it does on some Redis errors) or cannot start one."""
    outage = redis_outage(app)
    while True:
        worker = None
        try:
            with stop_on_signal():
                worker = make_worker(app, outage=outage)
            worker.work(logging_level="WARNING")
        except redis.RedisError as error:
            wait = outage.failed(error)
        else:
            if worker.stop_asked:
                return
            wait = next_try_after_loop_ended(outage)
        with stop_on_signal():
            time.sleep(wait)


def next_try_after_loop_ended(outage: Outage) -> float:
    """RQ ended its loop without being asked to: for Redis (already reported as the outage),
    or for an error it has logged with its traceback."""
    if outage.ongoing:
        return outage.failed("the worker's loop ended")
    log.error("the worker's loop ended unexpectedly; starting a new one")
    return outage.cap_seconds


class SchedulerLoop:
    """Registers the periodic jobs (`register(scheduler)`), then polls every
    SCHEDULER_POLL_SECONDS for due jobs; registers again after every outage, in case Redis
    came back without them."""

    def __init__(self, app: Flask, register: Callable):
        self.scheduler = make_scheduler(app)
        self.register = register
        self.registered = False
        self.poll = app.config["SCHEDULER_POLL_SECONDS"]
        self.outage = redis_outage(app)

    def run(self) -> None:
        log.info("polling every %ss for due jobs", self.poll)
        with stop_on_signal():
            try:
                while True:
                    time.sleep(self.step())
            finally:
                with suppress(redis.RedisError):
                    self.scheduler.remove_lock()

    def step(self) -> float:
        """One poll; returns how long to wait before the next."""
        try:
            polled = self.scheduler.poll(None if self.registered else self.register)
            self.registered = self.registered or polled
        except redis.RedisError as error:
            self.registered = False
            return self.outage.failed(error)
        self.outage.recovered()
        return self.poll
