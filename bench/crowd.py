"""Customers who use the desk as a browser does, over real HTTP, each on its own thread.

A customer logs in through the form, opens the dashboard, and then goes round: refreshes the
dashboard's table as htmx does (with its ETag), opens the catalog, builds an order on the
new-order form, sends it, opens its page, and thinks for a moment between steps. At the end
it logs out. Every request is timed and counted by its kind.
"""

import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import requests

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SERVICE = re.compile(r'name="services" value="([0-9a-f-]{36})"')
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) click-to-mice-load"
TABLE = {"HX-Request": "true", "HX-Target": "orders-table", "HX-Current-URL": "/"}
SAID = re.compile(r'class="flash[^"]*"[^>]*>\s*<span>([^<]+)|<h1[^>]*>([^<]+)')


def gist(body: str) -> str:
    """What a failed answer says: its message or heading, else the start of its text."""
    found = SAID.search(body)
    return " ".join((next(filter(None, found.groups())) if found else body).split())[:160]


@dataclass
class Recorder:
    """Every request's time and status, by kind; thread-safe."""

    times: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    failures: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int | str, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.times[kind].append(seconds * 1000)
            self.statuses[kind][status] += 1
            if not isinstance(status, int) or status >= 500:
                self.failures.append((kind, status, gist(detail)))

    def server_errors(self) -> int:
        return sum(
            count
            for counter in self.statuses.values()
            for status, count in counter.items()
            if not isinstance(status, int) or status >= 500
        )


@dataclass
class Behaviour:
    think_min: float = 1.0
    think_max: float = 3.0
    services_per_order: int = 2


class Customer:
    """One browser of one customer."""

    def __init__(self, base_url: str, email: str, password: str, recorder: Recorder, seed: int):
        self.base_url, self.email, self.password = base_url, email, password
        self.recorder = recorder
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.csrf = ""
        self.table_tag = ""
        self.services: list[str] = []

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=60, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            elapsed = time.perf_counter() - started
            self.recorder.record(kind, type(error).__name__, elapsed, repr(error))
            return None
        status = response.status_code
        self.recorder.record(kind, status, time.perf_counter() - started, response.text)
        return response

    def log_in(self) -> bool:
        token = self.login_form_token()
        return token is not None and self.submit_login(token)

    def login_form_token(self) -> str | None:
        page = self.request("login page", "GET", "/login")
        found = CSRF.search(page.text) if page is not None else None
        return found.group(1) if found else None

    def submit_login(self, token: str) -> bool:
        data = {"email": self.email, "password": self.password, "csrf_token": token}
        answer = self.request("login", "POST", "/login", data=data)
        return answer is not None and answer.status_code == 302 and self.open_dashboard()

    def open_dashboard(self) -> bool:
        page = self.request("dashboard", "GET", "/")
        if page is None or page.status_code != 200:
            return False
        self.csrf = CSRF.search(page.text).group(1)
        return True

    def refresh_table(self) -> None:
        headers = {**TABLE, "If-None-Match": self.table_tag} if self.table_tag else TABLE
        answer = self.request("table refresh", "GET", "/", headers=headers)
        if answer is not None and answer.status_code == 200:
            self.table_tag = answer.headers.get("ETag", "")

    def open_catalog(self) -> None:
        self.request("catalog", "GET", "/catalog")

    def build_and_send(self, behaviour: Behaviour) -> None:
        form = self.request("new order form", "GET", "/orders/new")
        if form is None or form.status_code != 200:
            return
        self.services = self.services or sorted(set(SERVICE.findall(form.text)))
        chosen = self.random.sample(self.services, behaviour.services_per_order)
        data = {"services": chosen, "csrf_token": self.csrf}
        created = self.request("create draft", "POST", "/orders/new", data=data)
        if created is None or created.status_code != 303:
            return
        order_path = created.headers["Location"]
        self.think(behaviour)
        self.request("send", "POST", f"{order_path}/send", data={"csrf_token": self.csrf})
        self.request("order page", "GET", order_path)

    def one_round(self, behaviour: Behaviour) -> None:
        steps = (self.refresh_table, self.open_catalog, lambda: self.build_and_send(behaviour))
        for step in steps:
            step()
            self.think(behaviour)

    def think(self, behaviour: Behaviour) -> None:
        time.sleep(self.random.uniform(behaviour.think_min, behaviour.think_max))

    def log_out(self) -> None:
        self.request("logout", "POST", "/logout", data={"csrf_token": self.csrf})


def visit(customer: Customer, start_at: float, until: float, behaviour: Behaviour) -> None:
    """Log in at `start_at` (a monotonic time), go round until `until`, then log out."""
    time.sleep(max(0.0, start_at - time.monotonic()))
    if not customer.log_in():
        return
    while time.monotonic() < until:
        customer.one_round(behaviour)
    customer.log_out()


def run_crowd(customers: list[Customer], window: float, seconds: float, behaviour: Behaviour):
    """Every customer logs in at a random moment within `window` seconds from now and browses
    until `seconds` from now."""
    now = time.monotonic()
    threads = [
        threading.Thread(
            target=visit,
            args=(c, now + c.random.uniform(0, window), now + seconds, behaviour),
            daemon=True,
        )
        for c in customers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def login_burst(customers: list[Customer]) -> None:
    """Every customer opens the login page, then all submit it at the same moment (a
    barrier), open the dashboard and log out."""
    barrier = threading.Barrier(len(customers))

    def one(customer: Customer) -> None:
        token = customer.login_form_token()
        barrier.wait()
        if token is not None and customer.submit_login(token):
            customer.log_out()

    threads = [threading.Thread(target=one, args=(c,), daemon=True) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
