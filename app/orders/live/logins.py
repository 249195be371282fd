"""A live stream ends with its login, on every web process: the sweep ends the streams whose
login expired or is gone from Postgres, however it ended (plain short statements, pooler-safe);
an announced end (`app.ended_logins`) ends them at once, a lost one leaves it to the sweep."""

import json
import logging
import time
from collections.abc import Iterable
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
    token_hash: str
    expires_at: float  # time.time()


class Ending(Protocol):
    """A stream as the sweep sees it (`hub.Listener`)."""

    login: StreamLogin

    def end_login(self) -> None: ...


def logins_pattern(prefix: str) -> bytes:
    """Every user's channel of ended logins, as Redis names the pattern in its messages."""
    return f"{prefix}logins:user:*".encode()


def announce_ended(ended: list[tuple[int, str]]) -> None:
    if not ended:
        return
    by_user: dict[int, list[str]] = {}
    for user_id, token_hash in ended:
        by_user.setdefault(user_id, []).append(token_hash)
    prefix = current_app.config["LIVE_CHANNEL_PREFIX"]
    try:
        pipe = get_redis().pipeline(transaction=False)
        for user_id, hashes in by_user.items():
            pipe.publish(f"{prefix}logins:user:{user_id}", json.dumps(hashes))
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


def live_among(token_hashes: Iterable[str]) -> set[str]:
    """Which of these logins live now (not ended, not expired): one query per chunk, on one
    connection taken from the pool and given back. Raises SQLAlchemyError."""
    hashes, live = sorted(set(token_hashes)), set()
    size = current_app.config["LIVE_LOGIN_CHECK_CHUNK"]
    # The digests travel as one comma-separated text (hex digits only): less than half the time
    # of an array parameter, whose every element the driver quotes. The unique index answers.
    among = func.string_to_array(bindparam("hashes", type_=String), ",")
    query = select(UserSession.token_hash).where(
        UserSession.token_hash == any_(among), UserSession.created_at >= oldest_allowed()
    )
    with db.engine.connect() as connection:
        for start in range(0, len(hashes), size):
            chunk = ",".join(hashes[start : start + size])
            live.update(connection.execute(query, {"hashes": chunk}).scalars())
    return live


class LoginSweep:
    """Ends the streams whose login ended; one per hub, whose thread calls it (`run_sweep`)."""

    def __init__(self, app: Flask):
        every = app.config["LIVE_LOGIN_CHECK_SECONDS"]
        self.outage = Outage("Postgres (the check of the live streams' logins)", log, every)

    def sweep(self, streams: list[Ending]) -> None:
        now = time.time()
        for stream in streams:
            if stream.login.expires_at <= now:
                stream.end_login()
        asking = [stream for stream in streams if stream.login.expires_at > now]
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
