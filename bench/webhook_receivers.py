"""Local webhook receivers for the benchmark: `processes` servers, each a threaded HTTP server
in its own process, answering 200 to every POST, except that an endpoint whose number is in
the failing set gets a 503 on its first order event (test events are always taken). Each
keeps when every request arrived, with its webhook-id and status, and reports them at
GET /_report as JSON."""

import json
import multiprocessing
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, failing: frozenset[int], ready) -> None:
    arrivals: list[tuple[str, int, float, int]] = []
    seen: set[int] = set()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            arrived = time.time()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            number = int(self.path.rsplit("/", 1)[-1])
            if b'"type":"webhook.test"' in body:  # the warm-up: always taken, not recorded
                self.answer(200, b"ok")
                return
            with lock:
                first = number not in seen
                seen.add(number)
                status = 503 if first and number in failing else 200
                arrivals.append((self.headers["webhook-id"], number, arrived, status))
            self.answer(status, b"ok" if status == 200 else b"try again")

        def do_GET(self) -> None:
            with lock:
                body = json.dumps(arrivals).encode()
            self.answer(200, body)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    ready.set()
    server.serve_forever()


class Receivers:
    """`processes` receiver processes; endpoint n is served by receiver n % processes."""

    def __init__(self, processes: int, failing: set[int]):
        self.ports = [free_port() for _ in range(processes)]
        self.processes = []
        for port in self.ports:
            ready = multiprocessing.Event()
            process = multiprocessing.Process(
                target=serve, args=(port, frozenset(failing), ready), daemon=True
            )
            process.start()
            ready.wait(10)
            self.processes.append(process)

    def url(self, endpoint: int) -> str:
        return f"http://127.0.0.1:{self.ports[endpoint % len(self.ports)]}/e/{endpoint}"

    def arrivals(self) -> list[tuple[str, int, float, int]]:
        import requests

        found = []
        for port in self.ports:
            found.extend(requests.get(f"http://127.0.0.1:{port}/_report", timeout=30).json())
        return found

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
            process.join(5)
