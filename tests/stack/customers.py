"""A customer of the stack over HTTPS (httpx, the stack's own certificate), and server-sent
event readers that reconnect as a browser does, for the tests of tests/stack/."""

import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SERVICE = re.compile(r'name="services" value="([0-9a-f-]{36})"')
ORDER_PATH = re.compile(r"/orders/([0-9a-f-]{36})$")


def ssl_context(certificate) -> ssl.SSLContext:
    """Trusting the stack's own certificate (and checking it names the address)."""
    return ssl.create_default_context(cafile=str(certificate))


class Customer:
    """Logged in through the login form; keeps its session cookie like a browser."""

    def __init__(self, base_url: str, email: str, password: str, certificate, **transport):
        self.email, self.password, self.certificate = email, password, certificate
        transport = httpx.HTTPTransport(verify=ssl_context(certificate), **transport)
        # Over HTTPS, the CSRF check also wants the page's own origin as the Referer.
        headers = {"Referer": f"{base_url}/", "Accept-Language": "en"}
        self.http = httpx.Client(
            base_url=base_url, transport=transport, timeout=15, headers=headers
        )

    def close(self) -> None:
        self.http.close()

    def csrf(self, path: str, http: httpx.Client | None = None) -> str:
        page = (http or self.http).get(path)
        return CSRF.search(page.text).group(1)

    def log_in(self, password: str | None = None) -> httpx.Response:
        form = {"email": self.email, "password": password or self.password}
        return self.http.post("/login", data={**form, "csrf_token": self.csrf("/login")})

    def logged_in(self) -> "Customer":
        answer = self.log_in()
        assert answer.status_code in (302, 303), answer.text[:500]
        return self

    def services(self, count: int = 2) -> list[str]:
        return SERVICE.findall(self.http.get("/orders/new").text)[:count]

    def create_draft(self, services: list[str], http: httpx.Client | None = None) -> uuid.UUID:
        http = http or self.http
        form = {"services": services, "csrf_token": self.csrf("/orders/new", http)}
        answer = http.post("/orders/new", data=form)
        assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        return uuid.UUID(ORDER_PATH.search(answer.headers["location"]).group(1))

    def send(self, order_id: uuid.UUID, http: httpx.Client | None = None) -> httpx.Response:
        http = http or self.http
        token = self.csrf(f"/orders/{order_id}", http)
        return http.post(f"/orders/{order_id}/send", data={"csrf_token": token})

    def on_host(self, host_url: str) -> httpx.Client:
        """The same login, straight to one web host (plain HTTP, as nginx talks to it)."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)
        return httpx.Client(base_url=host_url, headers={"Cookie": cookies}, timeout=15)


@dataclass
class StreamLog:
    """What a reader saw: when each stream opened and ended, the events, the last `retry:`."""

    opened: list[float] = field(default_factory=list)
    ended: list[float] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    retries: list[int] = field(default_factory=list)
    refused: int = 0

    def reconnections(self) -> list[float]:
        """Seconds from each stream's end to the next one's opening."""
        return [opened - ended for ended, opened in zip(self.ended, self.opened[1:], strict=False)]


class StreamReader:
    """Reads a live stream and opens it again when it ends, after the `retry:` the server gave
    (as EventSource does), until stopped."""

    def __init__(self, http: httpx.Client, path: str = "/orders/events"):
        self.http, self.path = http, path
        self.log = StreamLog()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self) -> "StreamReader":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=20)

    def run(self) -> None:
        retry_ms = 3000
        while not self.stopping.is_set():
            try:
                retry_ms = self.read_one(retry_ms)
            except httpx.HTTPError:
                self.log.refused += 1
            if len(self.log.ended) < len(self.log.opened):
                self.log.ended.append(time.monotonic())
            self.stopping.wait(retry_ms / 1000)

    def read_one(self, retry_ms: int) -> int:
        timeout = httpx.Timeout(10, read=20)
        with self.http.stream("GET", self.path, timeout=timeout) as response:
            if response.status_code != 200:
                self.log.refused += 1
                return retry_ms
            event = None
            for line in response.iter_lines():
                if self.stopping.is_set():
                    break
                if line.startswith("retry:"):
                    retry_ms = int(line.split(":", 1)[1])
                    self.log.retries.append(retry_ms)
                    if len(self.log.opened) == len(self.log.ended):
                        self.log.opened.append(time.monotonic())
                elif line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event:
                    self.log.events.append((time.monotonic(), line.split(":", 1)[1].strip()))
                    event = None
        return retry_ms

    def wait_open(self, count: int = 1, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while len(self.log.opened) < count:
            assert time.monotonic() < deadline, f"stream not open: {self.log}"
            time.sleep(0.02)
