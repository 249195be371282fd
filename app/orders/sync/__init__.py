"""The status sync: learn from the order service when orders in processing are finished.

- `run`: one run under the run lock, or a fan-out of a large backlog as batch jobs;
- `engine`: checking a range of due orders batch by batch, and writing each batch;
- `answers`: what an answer means for its order, for the sync and an operator's re-check;
- `checks`: the concurrent status requests and the gate that stops them;
- `store`: the sync's queries and bulk updates;
- `state`: what runs share in Redis (the run lock, a pause, the fan-out count);
- `cli`: `flask sync-orders`.
"""

from app.orders.sync.answers import recheck_status
from app.orders.sync.cli import sync_orders_command
from app.orders.sync.engine import SyncSummary
from app.orders.sync.run import run_batch, run_sync

__all__ = ["SyncSummary", "recheck_status", "run_batch", "run_sync", "sync_orders_command"]
