"""The worker's and the scheduler's main loops, which live through Redis outages and stop only
when asked (SIGTERM, SIGINT: status 0) or on an error they cannot live with (status 1)."""

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
        try:
            with stop_on_signal():
                worker = make_worker(app, outage=outage)
            worker.work(logging_level="WARNING")
        except redis.RedisError as error:
            wait = outage.failed(error)
        else:
            if worker.stop_asked:
                return
            # RQ ended its loop unasked: for Redis (already reported), or for an error it logged.
            if outage.ongoing:
                wait = outage.failed("the worker's loop ended")
            else:
                log.error("the worker's loop ended unexpectedly; starting a new one")
                wait = outage.cap_seconds
        with stop_on_signal():
            time.sleep(wait)


def run_scheduler(app: Flask, register: Callable) -> None:
    """Register the periodic jobs (`register(scheduler)`), then poll for due jobs every
    SCHEDULER_POLL_SECONDS; register again after every outage, in case Redis lost them."""
    scheduler, outage = make_scheduler(app), redis_outage(app)
    every, registered = app.config["SCHEDULER_POLL_SECONDS"], False
    log.info("polling every %ss for due jobs", every)
    with stop_on_signal():
        try:
            while True:
                try:
                    registered = scheduler.poll(None if registered else register) or registered
                except redis.RedisError as error:
                    registered = False
                    time.sleep(outage.failed(error))
                    continue
                outage.recovered()
                time.sleep(every)
        finally:
            with suppress(redis.RedisError):
                scheduler.remove_lock()
