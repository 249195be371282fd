"""What one web process knows about recent logins, so that an unchanged table refresh is
answered without asking the database.

For each login that rendered its dashboard here: whose it is and when it expires; for each of
those users: what the dashboard needs of them (email, operator or not, the orders version and
the chosen language). Postgres tells the process what to forget (`notices`, migration 0010): a
user's row changed, or a login ended. Three rules keep what it knows current:

- It is trusted only while its listener is vouching for it: the listener answered a ping
  recently, and every notice sent before that ping has been applied. A listener that loses its
  connection, or gets no answer, forgets everything.
- A fact read from the database is kept only if no notice came (and the listener did not
  start again) between the moment before it was read and the moment it is kept: a fact read
  just before a change can never outlive the change's notice.
- What it does not know, the request asks the database, as it always did.
"""

import threading
import time
from dataclasses import dataclass

DEFAULT_SIZE = 10_000  # logins (and as many users); a full memory starts again empty


@dataclass(frozen=True)
class Login:
    user_id: int
    expires_at: float  # time.time()


@dataclass(frozen=True)
class UserFacts:
    """What the dashboard shows of the user, beside their orders."""

    email: str
    is_operator: bool
    orders_version: int
    locale: str | None


class KnownLogins:
    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self.logins: dict[str, Login] = {}
        self.users: dict[int, UserFacts] = {}
        self.notices = 0  # counts every notice and every forgetting
        self.trusted_until = 0.0  # time.monotonic()
        self.lock = threading.Lock()

    def trusted(self) -> bool:
        return time.monotonic() < self.trusted_until

    def snapshot(self) -> int | None:
        """Taken before reading the facts to keep; None when nothing may be kept."""
        return self.notices if self.trusted() else None

    def lookup(self, token_hash: str) -> tuple[Login, UserFacts] | None:
        if not self.trusted():
            return None
        login = self.logins.get(token_hash)
        if login is None or login.expires_at <= time.time():
            return None
        facts = self.users.get(login.user_id)
        return None if facts is None else (login, facts)

    def remember(self, token_hash: str, login: Login, facts: UserFacts, snapshot: int | None):
        with self.lock:
            if snapshot is None or snapshot != self.notices or not self.trusted():
                return
            if len(self.logins) >= self.size or len(self.users) >= self.size:
                self.logins.clear()
                self.users.clear()
            self.logins[token_hash] = login
            self.users[login.user_id] = facts

    def user_changed(self, user_id: int) -> None:
        with self.lock:
            self.notices += 1
            self.users.pop(user_id, None)

    def login_ended(self, token_hash: str) -> None:
        with self.lock:
            self.notices += 1
            self.logins.pop(token_hash, None)

    def vouch(self, until: float) -> None:
        """The listener has applied every notice sent before its latest ping."""
        self.trusted_until = until

    def forget_all(self) -> None:
        with self.lock:
            self.notices += 1
            self.trusted_until = 0.0
            self.logins.clear()
            self.users.clear()
