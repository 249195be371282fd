"""Live streams over real HTTP, as a browser tab holds them: a raw socket per stream, the
moment an awaited event arrives, and which of a server's processes serves the stream."""

import selectors
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

LOGIN_ENDED = b"event: login-ended"


class Tab:
    """One page's event stream: opened at once, read as the test asks."""

    def __init__(self, base_url: str, cookie: str, timeout: float = 10):
        address = urlsplit(base_url)
        self.sock = socket.create_connection((address.hostname, address.port), timeout=timeout)
        self.sock.sendall(
            f"GET /orders/events HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {cookie}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        self.received = b""
        self.read_until(b"retry:", timeout)
        assert self.received.startswith(b"HTTP/1.1 200"), self.received[:200]

    def read_until(self, marker: bytes, seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        while marker not in self.received:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = self.sock.recv(4096)
            assert chunk, f"the stream closed before {marker!r}: {self.received[-300:]!r}"
            self.received += chunk
        return self.received

    def local_port(self) -> int:
        return self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def arrival_times(tabs: list[Tab], marker: bytes, seconds: float) -> dict[Tab, float]:
    """When (time.monotonic()) `marker` reached each tab; fails if one has not within
    `seconds`. The tabs are read side by side, so each time is its own."""
    arrived = {tab: time.monotonic() for tab in tabs if marker in tab.received}
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        for tab in tabs:
            if tab not in arrived:
                selector.register(tab.sock, selectors.EVENT_READ, tab)
        while len(arrived) < len(tabs):
            left = deadline - time.monotonic()
            assert left > 0, f"{len(tabs) - len(arrived)} of {len(tabs)} tabs saw no {marker!r}"
            for key, _ in selector.select(timeout=left):
                tab = key.data
                chunk = tab.sock.recv(4096)
                assert chunk, f"a stream closed without {marker!r}: {tab.received[-300:]!r}"
                tab.received += chunk
                if marker in tab.received:
                    arrived[tab] = time.monotonic()
                    selector.unregister(tab.sock)
    return arrived


def serving_process(pids: list[int], server_port: int, tab: Tab) -> int:
    """Which of `pids` holds the server's end of the tab's connection (from /proc)."""
    inode = server_side_inode(server_port, tab.local_port())
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if fd.readlink().name == f"socket:[{inode}]":
                    return pid
            except OSError:  # closed meanwhile
                continue
    raise LookupError(f"no process of {pids} serves the connection from port {tab.local_port()}")


def server_side_inode(server_port: int, client_port: int) -> str:
    """The inode of the accepted socket 127.0.0.1:server_port <- 127.0.0.1:client_port."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    raise LookupError(f"no connection from port {client_port} to port {server_port}")
