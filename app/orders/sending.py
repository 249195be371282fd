"""Sending orders to processing (placeholder on the sync branch).

The orders work replaces this module with the real one; the status sync only needs
`requeue_stuck_sends`, which it calls at the start of every run.
"""


def requeue_stuck_sends() -> int:
    """Re-enqueue orders stuck in `sending`; the orders work replaces this placeholder."""
    return 0
