"""A live stream ends with its login.

Each stream knows its login: the digest of the cookie's token and when the login expires. Two
things end the streams of a login that ended, on every web process:

- the sweep: every LIVE_LOGIN_CHECK_SECONDS, each process's hub ends the streams of logins that
  expired (no question asked), then asks Postgres which of its other streams' logins still live,
  in one query per LIVE_LOGIN_CHECK_CHUNK logins, and ends the rest. This catches every way a
  login ends: logout, the other sessions logged out, a new password, a user or a row deleted in
  SQL. A sweep that cannot reach Postgres keeps the streams (one warning for the outage) and
  the next one asks again. Plain statements in short transactions, no LISTEN and no
  session-level state, so it works behind a pooler in transaction mode.
- the announcement: the app's own ways of ending a login (`app.ended_logins`) publish the ended
  logins on `<prefix>logins:user:<id>` once the deletion commits, and every hub ends those
  streams at once. It only makes the end quicker: a lost announcement leaves it to the sweep.

A stream so ended tells its page with a last `login-ended` event (see `app.orders.live`).
"""

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import redis
from flask import Flask, current_app
from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.exc import SQLAlchemyError

from app.auth.sessions import oldest_allowed
from app.extensions import db, get_redis
from app.models import UserSession
from app.outage import Outage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamLogin:
    """The login a stream was opened under."""

    token_hash: str
    expires_at: float  # time.time()


class Ending(Protocol):
    """A stream as the sweep sees it (`live_hub.Listener`)."""

    login: StreamLogin

    def end_login(self) -> None: ...


def logins_channel(user_id: int) -> str:
    return f"{current_app.config['LIVE_CHANNEL_PREFIX']}logins:user:{user_id}"


def logins_pattern(prefix: str) -> bytes:
    """Every user's channel of ended logins, as Redis names the pattern in its messages."""
    return f"{prefix}logins:user:*".encode()


def announce_ended(ended: list[tuple[int, str]]) -> None:
    """Publish (user id, token digest) pairs of ended logins, one message per user."""
    if not ended:
        return
    by_user: dict[int, list[str]] = {}
    for user_id, token_hash in ended:
        by_user.setdefault(user_id, []).append(token_hash)
    try:
        pipe = get_redis().pipeline(transaction=False)
        for user_id, hashes in by_user.items():
            pipe.publish(logins_channel(user_id), json.dumps(hashes))
        pipe.execute()
    except redis.RedisError as error:
        log.warning("ended logins not announced (Redis), the sweep ends their streams: %s", error)


def ended_in(data: bytes) -> set[str]:
    """The token digests an announcement names (nothing, if it is not one)."""
    try:
        hashes = json.loads(data)
    except ValueError:
        return set()
    return {h for h in hashes if isinstance(h, str)} if isinstance(hashes, list) else set()


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The digests travel as one comma-separated text (hex digits only): less than half the time of
# an array parameter, whose every element the driver quotes. The unique index answers the ANY.
LIVE_AMONG = select(UserSession.token_hash).where(
    UserSession.token_hash == any_(func.string_to_array(bindparam("hashes", type_=String), ","))
)


def live_among(token_hashes: Iterable[str]) -> set[str]:
    """Which of these logins live now (not ended, not expired): one query per chunk, on one
    connection taken from the pool and given back. Raises SQLAlchemyError."""
    hashes, live = sorted(set(token_hashes)), set()
    query = LIVE_AMONG.where(UserSession.created_at >= oldest_allowed())
    with db.engine.connect() as connection:
        for chunk in chunks(hashes, current_app.config["LIVE_LOGIN_CHECK_CHUNK"]):
            live.update(connection.execute(query, {"hashes": ",".join(chunk)}).scalars())
    return live


class LoginSweep:
    """Ends the streams of a process whose login ended; one per hub, running while it has
    streams."""

    def __init__(self, app: Flask):
        self.app = app
        self.outage = Outage(
            "Postgres (the check of the live streams' logins)",
            log,
            app.config["LIVE_LOGIN_CHECK_SECONDS"],
        )

    def run(self, streams: Callable[[], list[Ending] | None]) -> None:
        """Sweep every LIVE_LOGIN_CHECK_SECONDS while `streams()` gives a list (None: stop)."""
        every = self.app.config["LIVE_LOGIN_CHECK_SECONDS"]
        with self.app.app_context():
            while True:
                time.sleep(every)
                if (current := streams()) is None:
                    return
                self.sweep(current)

    def sweep(self, streams: list[Ending]) -> None:
        now = time.time()
        asking = []
        for stream in streams:
            if stream.login.expires_at <= now:
                stream.end_login()
            else:
                asking.append(stream)
        if not asking:
            return
        try:
            live = live_among(stream.login.token_hash for stream in asking)
        except SQLAlchemyError as error:
            self.outage.failed(error)
            return
        self.outage.recovered()
        for stream in asking:
            if stream.login.token_hash not in live:
                stream.end_login()
