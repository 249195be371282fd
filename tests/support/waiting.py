"""Waiting on a condition with a deadline: the tests' only way to wait."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    seconds: float = 10,
    step: float = 0.02,
    explain: Callable[[], str] | None = None,
) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail the test if
    it never does within `seconds`, with what `explain` says."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        if time.monotonic() > deadline:
            detail = explain() if explain else str(condition)
            raise AssertionError(f"gave up waiting after {seconds} s: {detail}")
        time.sleep(step)
    return result
