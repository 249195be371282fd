"""Postgres's notices to one web process (LISTEN), applied to what it knows (known_logins).

One connection per process listens on the channels of migration 0010. Every PING_SECONDS it
asks Postgres for a trivial answer: that answer comes after every notice sent before the ping,
so once those are applied, the memory is vouched for TRUST_SECONDS from the ping. Any failure
(refused, cut, or no answer within the connection's deadline) forgets everything, and so does
a ping that takes too long, because the trust simply runs out; the listener connects again
after RETRY_SECONDS, and meanwhile every request asks the database.

Under gunicorn's gevent worker the listener is a greenlet (the standard library is patched and
psycopg2 waits through the app's wait callback), under threads a thread; the code is the same.
"""

import logging
import select
import threading
import time

import psycopg2
from sqlalchemy.engine import make_url

from app import database
from app.orders.known_logins import KnownLogins

log = logging.getLogger(__name__)

APPLICATION_NAME = "clicktomice-notices"  # how the connection shows in pg_stat_activity
PING_SECONDS = 1.0
TRUST_SECONDS = 10.0
RETRY_SECONDS = 2.0


def libpq_dsn(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


class NoticeListener:
    def __init__(self, memory: KnownLogins, config):
        self.memory = memory
        self.dsn = libpq_dsn(config["SQLALCHEMY_DATABASE_URI"])
        self.connect_args = database.engine_options(config)["connect_args"]
        self.stopped = threading.Event()
        self.channels = {
            "users_changed": lambda payload: memory.user_changed(int(payload)),
            "logins_ended": memory.login_ended,
        }

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="notice-listener", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.listen()
            except (psycopg2.Error, OSError, ValueError) as error:
                log.warning("notices stopped (%s); refreshes ask the database meanwhile", error)
            finally:
                self.memory.forget_all()
            self.stopped.wait(RETRY_SECONDS)

    def listen(self) -> None:
        connection = psycopg2.connect(
            self.dsn, application_name=APPLICATION_NAME, **self.connect_args
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                for channel in self.channels:
                    cursor.execute(f"LISTEN {channel}")
            while not self.stopped.is_set():
                self.ping(connection)
                self.wait_for_notices(connection, PING_SECONDS)
        finally:
            connection.close()

    def ping(self, connection) -> None:
        sent = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        self.apply(connection)
        self.memory.vouch(sent + TRUST_SECONDS)

    def wait_for_notices(self, connection, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and not self.stopped.is_set():
            readable, _, _ = select.select([connection], [], [], left)
            if readable:
                connection.poll()
                self.apply(connection)

    def apply(self, connection) -> None:
        while connection.notifies:
            notice = connection.notifies.pop(0)
            self.channels[notice.channel](notice.payload)
