"""Waiting on a condition with a deadline: the tests' only way to wait."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], seconds: float = 10, step: float = 0.02) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail the test if
    it never does within `seconds`."""
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"gave up waiting after {seconds} s: {condition}"
        time.sleep(step)
    return result
