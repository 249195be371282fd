"""Steady load through nginx for the deploy and host-death tests: customers reading their
dashboard and order form (idempotent) and creating drafts (not), every answer counted."""

import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.stack.customers import Customer

OK = range(200, 400)


@dataclass
class Tally:
    answers: Counter = field(default_factory=Counter)  # (method, status or error name)
    created: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, method: str, outcome) -> None:
        with self.lock:
            self.answers[(method, outcome)] += 1

    def total(self, method: str | None = None) -> int:
        return sum(n for (m, _), n in self.answers.items() if method in (None, m))

    def failed(self, method: str | None = None) -> dict:
        return {
            key: n
            for key, n in self.answers.items()
            if method in (None, key[0]) and key[1] not in OK
        }


class SteadyLoad:
    """Each customer's thread goes round: the dashboard, the order form, a new draft."""

    def __init__(self, customers: list[Customer]):
        self.customers = customers
        self.tally = Tally()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(c,)) for c in customers]

    def __enter__(self) -> "SteadyLoad":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def run(self, customer: Customer) -> None:
        services = customer.services()
        while not self.stopping.is_set():
            self.call("GET", lambda: customer.http.get("/"))
            page = self.call("GET", lambda: customer.http.get("/orders/new"))
            if page is not None and page.status_code == 200:
                token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                form = {"services": services, "csrf_token": token}
                answer = self.call("POST", lambda f=form: customer.http.post("/orders/new", data=f))
                if answer is not None and answer.status_code == 303:
                    with self.tally.lock:
                        self.tally.created += 1

    def call(self, method: str, request) -> httpx.Response | None:
        try:
            answer = request()
        except httpx.HTTPError as error:
            self.tally.count(method, type(error).__name__)
            return None
        self.tally.count(method, answer.status_code)
        return answer
