"""The soak's customers: browsers over HTTPS that log in, refresh the dashboard's table, open the
catalog, build orders, send most of them, cancel some that are in processing, and think between
steps. Every answer is recorded with its moment; every order the app said it made, sent or
cancelled is remembered, for the checks at the end."""

import threading
import time
from dataclasses import dataclass, field

import requests

from bench.crowd import CSRF, SERVICE, TABLE, Behaviour, Customer

ORDER_PATH_LENGTH = len("/orders/") + 36


@dataclass
class Answer:
    at: float  # seconds since the soak began
    kind: str
    status: int | str  # an exception's name when there was no answer
    ms: float
    styled: bool  # the app's own error page or message, not a proxy's or a server's bare one
    method: str = "GET"


@dataclass
class Ledger:
    """Every answer and every order acknowledged by the app; thread-safe."""

    began: float = field(default_factory=time.monotonic)
    answers: list[Answer] = field(default_factory=list)
    created: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    cancelled: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.began

    def answer(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def note(self, which: set, order_id: str) -> None:
        with self.lock:
            which.add(order_id)


def styled(response: requests.Response) -> bool:
    text = response.text
    return "error-page" in text or 'class="flash' in text


class SoakCustomer(Customer):
    def __init__(self, base_url: str, trust: str, account: tuple[str, str], ledger: Ledger, seed):
        super().__init__(base_url, *account, recorder=None, seed=seed)
        self.ledger = ledger
        self.trust = trust  # the file of the certificate this browser was told to trust
        self.in_processing: list[str] = []

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started, at = time.perf_counter(), self.ledger.now()
        if method == "POST":  # from one of its pages, as a browser says (CSRF checks it on HTTPS)
            kwargs["headers"] = {"Referer": self.base_url + "/", **kwargs.get("headers", {})}
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                timeout=60,
                allow_redirects=False,
                verify=self.trust,  # given each time: a CA bundle in the environment would win
                **kwargs,
            )
        except requests.RequestException as error:
            ms = 1000 * (time.perf_counter() - started)
            self.ledger.answer(Answer(at, kind, type(error).__name__, ms, False, method))
            return None
        ms = 1000 * (time.perf_counter() - started)
        code = response.status_code
        self.ledger.answer(Answer(at, kind, code, ms, code >= 500 and styled(response), method))
        return response

    def open_dashboard(self) -> bool:
        page = self.request("dashboard", "GET", "/")
        if page is None or page.status_code != 200 or not CSRF.search(page.text):
            return False
        self.csrf = CSRF.search(page.text).group(1)
        return True

    def build_and_send(self, behaviour: Behaviour) -> None:
        form = self.request("new order form", "GET", "/orders/new")
        if form is None or form.status_code != 200:
            return
        self.services = self.services or sorted(set(SERVICE.findall(form.text)))
        if len(self.services) < behaviour.services_per_order:
            return
        chosen = self.random.sample(self.services, behaviour.services_per_order)
        data = {"services": chosen, "csrf_token": self.csrf}
        created = self.request("create draft", "POST", "/orders/new", data=data)
        if created is None or created.status_code != 303:
            return
        order_path = created.headers["Location"].split("?")[0][-ORDER_PATH_LENGTH:]
        order_id = order_path.rsplit("/", 1)[1]
        self.ledger.note(self.ledger.created, order_id)
        self.think(behaviour)
        if self.random.random() < 0.8:  # some drafts stay drafts
            form = {"csrf_token": self.csrf}
            sent = self.request("send", "POST", f"{order_path}/send", data=form)
            if sent is not None and sent.status_code == 303:
                self.ledger.note(self.ledger.sent, order_id)
                self.in_processing.append(order_id)
        self.request("order page", "GET", order_path)

    def cancel_one(self) -> None:
        """Cancel one of this customer's sent orders, now and then (a 409 if it is done)."""
        if not self.in_processing or self.random.random() > 0.3:
            return
        order_id = self.in_processing.pop(self.random.randrange(len(self.in_processing)))
        path = f"/orders/{order_id}/cancel"
        answer = self.request("cancel", "POST", path, data={"csrf_token": self.csrf})
        if answer is not None and answer.status_code == 303:
            self.ledger.note(self.ledger.cancelled, order_id)

    def one_round(self, behaviour: Behaviour) -> None:
        steps = (
            self.refresh_table,
            self.open_catalog,
            lambda: self.build_and_send(behaviour),
            self.cancel_one,
        )
        for step in steps:
            step()
            self.think(behaviour)

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)


def browse(customer: SoakCustomer, start_at: float, until: float, behaviour, on_login) -> None:
    """Log in at `start_at` (monotonic), then `on_login(customer)` (the dashboard's stream
    opens), and go round until `until`; a failed login (during a fault) is tried again after a
    pause (half a minute, as a person who was told to wait would), so the login limit is not
    reached by retrying alone."""
    time.sleep(max(0.0, start_at - time.monotonic()))
    opened = False
    while time.monotonic() < until:
        if customer.csrf or customer.log_in():
            if not opened:
                on_login(customer)
                opened = True
            customer.one_round(behaviour)
        else:
            time.sleep(30)


__all__ = ["TABLE", "Behaviour", "Ledger", "SoakCustomer", "browse"]
