"""Running the same work in several threads released at once, as a crowd of readers would."""

import threading
from collections.abc import Callable
from contextlib import nullcontext

from flask import Flask


def run_together(
    count: int, work: Callable[[], object], app: Flask | None = None
) -> tuple[list, list[Exception]]:
    """Run `work` in `count` threads released at once (each in its own app context when `app`
    is given); what they returned and what they raised."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        with app.app_context() if app is not None else nullcontext():
            barrier.wait()
            try:
                results.append(work())
            except Exception as error:  # collected for the test to assert on
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
