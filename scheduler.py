"""Registers the periodic jobs under fixed ids, then polls rq-scheduler for due jobs:
`python scheduler.py`. It lives through Redis outages (see app/processes.py).

Registering under a fixed id makes a restart, or a second scheduler, find the same entry
instead of adding another: an entry that already has the same function and interval is kept
as it is (so its next run time is not reset), anything else is replaced under the same id.
A lock lets only one scheduler enqueue at a time, and each polls every
SCHEDULER_POLL_SECONDS (5), so the minute job starts within a few seconds of its minute.
(RQ 3 allows only letters, digits, dashes and underscores in a job id, hence
`periodic-sync-orders`.)
"""

import logging
from datetime import UTC, datetime

from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq_scheduler import Scheduler

from app import create_app_or_exit
from app.logs import configure_logging
from app.processes import exit_on_failure, run_scheduler

# Each periodic job: its function, and the setting that holds its interval in seconds.
PERIODIC_JOBS = {
    "periodic-sync-orders": ("app.orders.jobs.sync_orders", "SYNC_INTERVAL_SECONDS"),
    "periodic-requeue-sends": ("app.orders.jobs.requeue_sends", "SEND_SWEEP_SECONDS"),
    "periodic-requeue-webhooks": ("app.webhooks.jobs.requeue_deliveries", "WEBHOOK_SWEEP_SECONDS"),
}

log = logging.getLogger("scheduler")


def registered_job(scheduler: Scheduler, job_id: str) -> Job | None:
    """The periodic job already in the scheduler's registry under `job_id`, if any."""
    if job_id not in scheduler:
        return None
    try:
        return Job.fetch(job_id, connection=scheduler.connection)
    except NoSuchJobError:
        return None


def register_periodic_jobs(scheduler: Scheduler, config) -> list[str]:
    """Make sure each periodic job is registered once; returns the ids (re)registered."""
    changed = []
    for job_id, (func, setting) in PERIODIC_JOBS.items():
        interval = int(config[setting])
        job = registered_job(scheduler, job_id)
        if job is not None and job.func_name == func and job.meta.get("interval") == interval:
            log.info("periodic job %s already registered: %s every %ss", job_id, func, interval)
            continue
        scheduler.schedule(
            scheduled_time=datetime.now(UTC),
            func=func,
            interval=interval,
            repeat=None,
            id=job_id,
            result_ttl=interval * 10,
            timeout=max(interval * 5, 300),
        )
        changed.append(job_id)
        log.info("registered periodic job %s: %s every %ss", job_id, func, interval)
    return changed


def main() -> None:
    with exit_on_failure("scheduler"):
        app = create_app_or_exit()
        configure_logging(app.config)
        run_scheduler(app, lambda scheduler: register_periodic_jobs(scheduler, app.config))


if __name__ == "__main__":
    main()
