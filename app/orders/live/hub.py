"""One Redis subscription per web process, fanned out to the inboxes of the event streams it
serves; it starts with the first stream, stops after the last, and ends every stream if Redis
fails (the browsers reconnect, or poll). Under gevent its threads are greenlets."""

import contextlib
import logging
import queue
import select
import socket
import threading
import time

import redis
from flask import Flask, current_app

from app.extensions import own_redis_connection
from app.orders.live.logins import LoginSweep, StreamLogin, ended_in, logins_pattern
from app.orders.live.slots import Slot, renew

log = logging.getLogger(__name__)

INBOX_SIZE = 64
GONE = object()  # put in an inbox when its stream must end


class Listener:
    def __init__(self, user_id: int, login: StreamLogin, slot: Slot):
        self.user_id, self.login, self.slot = user_id, login, slot
        self.inbox: queue.Queue = queue.Queue(maxsize=INBOX_SIZE)
        self.ended = False
        self.login_ended = False

    def deliver(self, data: str) -> None:
        """A tab too slow to read its events loses the new ones: any event makes it reload its
        table, and the table is what matters."""
        try:
            self.inbox.put_nowait(data)
        except queue.Full:
            log.info("live stream of user %s is not reading; an event was dropped", self.user_id)

    def end(self) -> None:
        self.ended = True
        with contextlib.suppress(queue.Full):  # the stream checks `ended` after every item
            self.inbox.put_nowait(GONE)

    def end_login(self) -> None:
        self.login_ended = True
        self.end()

    def next(self, timeout: float):
        """The next event's data, None after `timeout`, or GONE."""
        try:
            item = self.inbox.get(timeout=timeout)
        except queue.Empty:
            item = None
        return GONE if self.ended else item


class Hub:
    """The process's streams by user, the one subscription that feeds them, and the sweep that
    ends those whose login ended (`logins`; an announced end, the hub applies at once)."""

    def __init__(self, app: Flask):
        self.app = app
        self.listeners: dict[int, set[Listener]] = {}
        self.lock = threading.Lock()
        self.running = False
        self.listening = threading.Event()  # set while the subscription is confirmed
        self.logins_pattern = logins_pattern(app.config["LIVE_CHANNEL_PREFIX"])
        self.sweep = LoginSweep(app)
        self.sweeping = False
        self.stopping = False  # the process is shutting down: no stream stays

    def count(self) -> int:
        with self.lock:
            return sum(map(len, self.listeners.values()))

    def join(self, listener: Listener) -> None:
        if self.stopping:
            listener.end()
            return
        with self.lock:
            self.listeners.setdefault(listener.user_id, set()).add(listener)
            if not self.running:
                self.running = True
                threading.Thread(target=self.run, name="live-hub", daemon=True).start()
            if not self.sweeping:
                self.sweeping = True
                threading.Thread(target=self.run_sweep, name="live-logins", daemon=True).start()

    def end_all(self) -> None:
        """The process is stopping (a deploy): end every stream now, so that its browser
        reconnects through the proxy to a process that stays, instead of waiting for this one's
        graceful timeout to cut it."""
        self.stopping = True
        with self.lock:
            ending = [listener for group in self.listeners.values() for listener in group]
        for listener in ending:
            listener.end()

    def leave(self, listener: Listener) -> None:
        with self.lock:
            mine = self.listeners.get(listener.user_id, set())
            mine.discard(listener)
            if not mine:
                self.listeners.pop(listener.user_id, None)

    def run(self) -> None:
        with self.app.app_context():
            try:
                self.listen()
            except redis.RedisError as error:
                log.warning("live updates interrupted (Redis): %s", error)
                with self.lock:
                    self.running = False
                    ending = [listener for group in self.listeners.values() for listener in group]
                for listener in ending:
                    listener.end()

    def listen(self) -> None:
        """Forward the published changes, on a connection of the hub's own: taken from the
        requests' pool, it waited among them, and a burst of streams opening could keep the
        subscription from starting at all, which ended every stream of the process."""
        client = own_redis_connection(self.app)
        pubsub = client.pubsub()
        try:
            orders = f"{current_app.config['LIVE_CHANNEL_PREFIX']}orders:user:*"
            pubsub.psubscribe(orders, self.logins_pattern)
            every = current_app.config["LIVE_SLOT_LEASE_SECONDS"] / 3
            renew_at = time.monotonic() + every
            while self.still_needed():
                message = pubsub.get_message(timeout=1.0)
                if message is not None:
                    self.receive(message)
                if time.monotonic() >= renew_at:
                    renew(self.leases())
                    renew_at = time.monotonic() + every
        finally:
            self.listening.clear()
            pubsub.close()
            client.close()

    def receive(self, message: dict) -> None:
        if message["type"] == "psubscribe":
            self.listening.set()
        elif message["type"] == "pmessage" and message["pattern"] == self.logins_pattern:
            ended = ended_in(message["data"])
            for listener in self.of_user(message["channel"]):
                if listener.login.token_hash in ended:
                    listener.end_login()
        elif message["type"] == "pmessage":
            for listener in self.of_user(message["channel"]):
                listener.deliver(message["data"].decode())

    def still_needed(self) -> bool:
        """Whether a stream is left; if not, the hub stops (and a new stream starts it again)."""
        with self.lock:
            self.running = bool(self.listeners)
            return self.running

    def of_user(self, channel: bytes) -> list[Listener]:
        """The streams of the user a channel (`...:user:<id>`) is about."""
        user = channel.rsplit(b":", 1)[-1]
        if not user.isdigit():
            return []
        with self.lock:
            return list(self.listeners.get(int(user), ()))

    def run_sweep(self) -> None:
        """The sweep's thread: every LIVE_LOGIN_CHECK_SECONDS while a stream is left. It stops
        when none is, or on an error it did not expect, so that the next stream starts another."""
        every = self.app.config["LIVE_LOGIN_CHECK_SECONDS"]
        try:
            with self.app.app_context():
                while True:
                    time.sleep(every)
                    with self.lock:
                        streams = [stream for group in self.listeners.values() for stream in group]
                        self.sweeping = bool(streams)
                    if not streams:
                        return
                    self.sweep.sweep(streams)
        except BaseException:
            with self.lock:
                self.sweeping = False
            raise

    def leases(self) -> list[Slot]:
        with self.lock:
            return [listener.slot for group in self.listeners.values() for listener in group]


def watch_client(environ: dict, listener: Listener, seconds: float) -> None:
    """End the stream as soon as its client closes the connection (where the server exposes it)
    rather than at the next write that fails (which can take two, long after the tab is gone)."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if sock is None:
        return

    def wait_for_close() -> None:
        try:
            readable, _, _ = select.select([sock], [], [], seconds)
            if readable and not sock.recv(1, socket.MSG_PEEK):
                listener.end()
        except (OSError, ValueError):
            listener.end()

    threading.Thread(target=wait_for_close, name="live-watch", daemon=True).start()
