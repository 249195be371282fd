"""A real HTTP receiver for webhook tests: a server on a free port of 127.0.0.1, in a thread,
that records every request and answers as the test tells it (a status, a redirect, a pause,
or nothing at all: stopped, it refuses connections, and started again on the same port)."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class Received:
    headers: dict
    body: bytes
    path: str


Answer = Callable[[Request], Response]


def ok(request: Request) -> Response:
    return Response("thanks", 200)


class Receiver:
    def __init__(self, answer: Answer = ok, port: int = 0):
        self.answer = answer
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.port = port
        self.server = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.received.append(Received(dict(request.headers), request.get_data(), request.path))
        return self.answer(request)(environ, start_response)

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def bodies(self) -> list[bytes]:
        with self.lock:
            return [r.body for r in self.received]


def status(code: int, text: str = "") -> Answer:
    return lambda request: Response(text or f"status {code}", code)


def redirect_to(location: str) -> Answer:
    return lambda request: Response("moved", 302, {"Location": location})


def slow(seconds: float) -> Answer:
    def answer(request: Request) -> Response:
        time.sleep(seconds)
        return Response("late", 200)

    return answer
