"""A customer using the app over HTTP (CSRF and all), who remembers every answer they got."""

import re
import threading
import time
import uuid
from dataclasses import dataclass

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ORDER_PATH = re.compile(r"/orders/([0-9a-f-]{36})$")


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    seconds: float
    body: str
    location: str = ""


class Customer:
    def __init__(self, base_url: str, email: str, password: str):
        self.base_url = base_url
        self.email = email
        self.password = password
        self.session = requests.Session()
        self.csrf_token = ""
        self.answers: list[Answer] = []
        self.lock = threading.Lock()

    def request(self, method: str, path: str, timeout: float = 60, **kwargs) -> Answer:
        started = time.monotonic()
        response = self.session.request(
            method, self.base_url + path, timeout=timeout, allow_redirects=False, **kwargs
        )
        answer = Answer(
            method,
            path,
            response.status_code,
            time.monotonic() - started,
            response.text,
            response.headers.get("Location", ""),
        )
        with self.lock:
            self.answers.append(answer)
        return answer

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> Answer:
        form = {**(data or {}), "csrf_token": self.csrf_token}
        return self.request("POST", path, data=form, **kwargs)

    def twin(self) -> "Customer":
        """Another browser tab of the same logged-in customer (its own connection)."""
        other = Customer(self.base_url, self.email, self.password)
        other.session.cookies.update(self.session.cookies)
        other.csrf_token = self.csrf_token
        return other

    def log_in(self) -> "Customer":
        page = self.get("/login")
        self.csrf_token = CSRF.search(page.body)[1]
        answer = self.post("/login", {"email": self.email, "password": self.password})
        assert answer.status == 302, answer
        return self

    def create_order(self, services: list[str]) -> uuid.UUID:
        answer = self.post("/orders/new", {"services": services})
        assert answer.status == 303, (answer.status, answer.body[:500])
        return uuid.UUID(ORDER_PATH.search(answer.location)[1])

    def send(self, order_id: uuid.UUID, htmx: bool = False) -> Answer:
        headers = {"HX-Request": "true"} if htmx else {}
        return self.post(f"/orders/{order_id}/send", headers=headers)

    def edit(self, order_id: uuid.UUID, services: list[str], htmx: bool = False) -> Answer:
        headers = {"HX-Request": "true"} if htmx else {}
        return self.post(f"/orders/{order_id}/edit", {"services": services}, headers=headers)

    def delete(self, order_id: uuid.UUID) -> Answer:
        """Delete as the dashboard's button does (htmx), so a refusal is a 409, not a redirect."""
        return self.post(f"/orders/{order_id}/delete", headers={"HX-Request": "true"})

    def server_errors(self) -> list[Answer]:
        with self.lock:
            return [answer for answer in self.answers if answer.status >= 500]
