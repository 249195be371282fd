"""What the job queues and workers look like now: for the console, `/metrics` and `/readyz`."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from redis import Redis
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from app.extensions import get_redis


@dataclass(frozen=True)
class QueueState:
    name: str
    depth: int
    oldest_enqueued_at: datetime | None
    running: int
    failed: int
    scheduled: int

    @property
    def oldest_age(self) -> float | None:
        return age(self.oldest_enqueued_at)


def queue_names() -> list[str]:
    """Ours, sends first (the order in which workers empty them)."""
    config = current_app.config
    return [config["RQ_SEND_QUEUE"], config["RQ_QUEUE"], config["RQ_WEBHOOK_QUEUE"]]


def oldest_enqueued_at(queue: Queue) -> datetime | None:
    ids = queue.get_job_ids(0, 0)
    job = queue.fetch_job(ids[0]) if ids else None
    return None if job is None or job.enqueued_at is None else aware(job.enqueued_at)


def aware(moment: datetime) -> datetime:
    """RQ's timestamps are UTC, sometimes without a time zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def age(moment: datetime | None) -> float | None:
    """Seconds since an RQ timestamp."""
    return None if moment is None else max(0.0, (datetime.now(UTC) - aware(moment)).total_seconds())


def queue_state(name: str, connection: Redis) -> QueueState:
    queue = Queue(name, connection=connection)
    return QueueState(
        name=name,
        depth=queue.count,
        oldest_enqueued_at=oldest_enqueued_at(queue),
        running=StartedJobRegistry(queue=queue).count,
        failed=FailedJobRegistry(queue=queue).count,
        scheduled=ScheduledJobRegistry(queue=queue).count,
    )


def queue_states() -> list[QueueState]:
    return [queue_state(name, get_redis()) for name in queue_names()]


def workers() -> list[Worker]:
    """Every worker registered in Redis, most recently seen first."""
    found = Worker.all(connection=get_redis())
    return sorted(found, key=lambda w: age(w.last_heartbeat) or float("inf"))


def live_workers(within_seconds: float) -> list[Worker]:
    ages = ((worker, age(worker.last_heartbeat)) for worker in workers())
    return [worker for worker, seconds in ages if seconds is not None and seconds <= within_seconds]
