"""The console's failed jobs: newest first, and a job that failed without an end time (RQ
keeps none when a worker died mid-job) sorts last instead of breaking the page."""

from datetime import UTC, datetime, timedelta

from rq.job import Job
from rq.registry import FailedJobRegistry

from app.extensions import get_redis
from app.ops.actions import failed_jobs


def failed(app, job_id: str, ended_at: datetime | None) -> None:
    queue_name = app.config["RQ_QUEUE"]
    job = Job.create("app.orders.jobs.sync_orders", id=job_id, connection=get_redis())
    job.origin, job.ended_at = queue_name, ended_at
    job.save()
    FailedJobRegistry(queue_name, connection=get_redis()).add(job, exc_string="boom")


def test_failed_jobs_newest_first_with_an_unknown_end_last(app):
    now = datetime.now(UTC)
    failed(app, "older", now - timedelta(minutes=5))
    failed(app, "no-end", None)
    failed(app, "newer", now)

    with app.test_request_context():  # the error line is said in the reader's language
        assert [job.id for job in failed_jobs()] == ["newer", "older", "no-end"]
