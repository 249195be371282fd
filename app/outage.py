"""A long-running process living through a dependency's outage, with capped, growing waits."""

import logging
import time

FIRST_WAIT_SECONDS = 0.5


class Outage:
    def __init__(self, dependency: str, log: logging.Logger, cap_seconds: float):
        self.dependency = dependency
        self.log = log
        self.cap_seconds = cap_seconds
        self.since: float | None = None
        self.failures = 0

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | str) -> float:
        """Note a failed attempt; returns how long to wait before the next one."""
        if self.since is None:
            self.since = time.monotonic()
            message = "%s unavailable (%s); retrying every %g s at most until it is back"
            self.log.warning(message, self.dependency, one_line(error), self.cap_seconds)
        self.failures += 1
        return self.wait_seconds()

    def wait_seconds(self) -> float:
        if self.failures == 0:
            return 0.0
        return min(FIRST_WAIT_SECONDS * 2 ** (self.failures - 1), self.cap_seconds)

    def recovered(self) -> None:
        if self.since is not None:
            self.log.info("%s is back after %.1f s", self.dependency, time.monotonic() - self.since)
        self.since = None
        self.failures = 0


def one_line(error: BaseException | str) -> str:
    """An error as one short line: its type and the first line of its message."""
    if isinstance(error, str):
        return error
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
