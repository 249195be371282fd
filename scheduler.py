"""Registers the periodic jobs under fixed ids, then runs rq-scheduler: `python scheduler.py`.

Registering under a fixed id makes a restart, or a second scheduler, replace the same entry
instead of adding another; rq-scheduler's own lock lets only one scheduler enqueue at a time.
"""

import logging
from datetime import UTC, datetime

from redis import Redis
from rq_scheduler import Scheduler

from app import create_app

PERIODIC_JOBS = {
    "periodic:sync-orders": "app.orders.jobs.sync_orders",
}
POLL_SECONDS = 5

log = logging.getLogger("scheduler")


def register_periodic_jobs(scheduler: Scheduler, interval: int) -> None:
    for job_id, func in PERIODIC_JOBS.items():
        scheduler.schedule(
            scheduled_time=datetime.now(UTC),
            func=func,
            interval=interval,
            repeat=None,
            id=job_id,
            result_ttl=interval * 10,
            timeout=max(interval * 5, 300),
        )
        log.info("registered %s: %s every %ss", job_id, func, interval)


def make_scheduler(app) -> Scheduler:
    connection = Redis.from_url(app.config["REDIS_URL"])
    return Scheduler(
        queue_name=app.config["RQ_QUEUE"], connection=connection, interval=POLL_SECONDS
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()
    scheduler = make_scheduler(app)
    register_periodic_jobs(scheduler, app.config["SYNC_INTERVAL_SECONDS"])
    scheduler.run()


if __name__ == "__main__":
    main()
