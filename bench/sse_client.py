"""Many server-sent-event streams at once, as browsers hold them: one asyncio connection each
(HTTP/1.1, chunked; over TLS for an https address), reconnecting when the server ends a
stream, as EventSource does."""

import asyncio
import json
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Deliveries:
    """When each change was made, and when each stream received it."""

    made: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    unmatched: int = 0

    def received(self, data: str) -> None:
        order_id = json.loads(data)["order_id"]
        made = self.made.get(order_id)
        if made is None:
            self.unmatched += 1
        else:
            self.latencies.append(time.monotonic() - made)


@dataclass
class Stream:
    user: int
    cookie: str
    status: int | None = None
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    reconnects: int = 0
    refusals: int = 0  # 503s and 204s answered instead of a stream
    no_content: int = 0  # of them 204s (the user's or the process's streams full, or no Redis)
    failures: int = 0  # connections refused, reset or cut short
    opened_at: float | None = None
    retry_ms: int = 1000  # as the server's `retry:` says
    down_since: float | None = None  # when the open stream ended or failed
    gaps: list = field(default_factory=list)  # (ended, open again), monotonic
    gave_up_at: float | None = None  # answered neither 200 nor 503: the page polls instead
    task: asyncio.Task | None = None
    writer: asyncio.StreamWriter | None = None

    def went_down(self) -> None:
        self.down_since = self.down_since or time.monotonic()

    def came_back(self) -> None:
        if self.down_since is not None:
            self.gaps.append((self.down_since, time.monotonic()))
        self.down_since = None

    def back_off(self) -> float:
        return min(2 ** (self.refusals - 1), 128) * 0.5


def client_tls() -> ssl.SSLContext:
    """TLS as a browser that was told to trust the benchmark's own certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


TLS = client_tls()


async def request_stream(url: str, cookie: str):
    parts = urlsplit(url)
    tls = TLS if parts.scheme == "https" else None
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port, ssl=tls)
    writer.write(
        (
            f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nCookie: {cookie}\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        key, _, value = line.decode().partition(":")
        headers[key.strip().lower()] = value.strip()
    return reader, writer, status, headers


async def chunks(reader: asyncio.StreamReader, chunked: bool):
    while True:
        if not chunked:
            data = await reader.read(65536)
            if not data:
                return
            yield data
            continue
        size = int((await reader.readline()).strip() or b"0", 16)
        if size == 0:
            return
        yield await reader.readexactly(size)
        await reader.readexactly(2)


async def follow(url: str, stream: Stream, deliveries: Deliveries) -> None:
    """Hold one stream; on its end reconnect after the server's `retry:` (a second until it
    says), and a second after a connection refused, reset or cut short, as a browser would. A
    503 (the server too busy to check the login) or a 204 (no stream for now: the page polls)
    is asked again after htmx's SSE extension's back-off (0.5 s, doubling, at most 64 s), as
    the page does; any other answer ends the tab's tries."""
    while True:
        try:
            ended = await hold_once(url, stream, deliveries)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            stream.failures += 1
            stream.status, ended = None, False
        if stream.opened_at is not None:
            stream.went_down()
        if ended:
            stream.gave_up_at = time.monotonic()
            return
        pause = stream.retry_ms / 1000 if stream.status == 200 else 1
        await asyncio.sleep(stream.back_off() if stream.status in (204, 503) else pause)


async def hold_once(url: str, stream: Stream, deliveries: Deliveries) -> bool:
    """One connection of the stream, until the server ends it; True if the tab gives up."""
    reader, writer, stream.status, headers = await request_stream(url, stream.cookie)
    stream.writer = writer
    if stream.status in (204, 503):  # no stream for now: the page polls and asks again later
        writer.close()
        stream.refusals += 1
        stream.no_content += stream.status == 204
        if stream.status == 204:
            stream.opened.set()
        return False
    stream.opened.set()
    if stream.status != 200:
        writer.close()
        return True
    stream.opened_at = stream.opened_at or time.monotonic()
    stream.came_back()
    buffer = ""
    async for data in chunks(reader, headers.get("transfer-encoding") == "chunked"):
        buffer += data.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            lines = block.splitlines()
            if lines and lines[0].startswith("retry: "):
                stream.retry_ms = int(lines[0][7:])
            if lines and lines[0] == "event: order-changed":
                deliveries.received("\n".join(x[6:] for x in lines[1:]))
    writer.close()
    stream.reconnects += 1
    return False


def start(url: str, stream: Stream, deliveries: Deliveries) -> Stream:
    stream.task = asyncio.ensure_future(follow(url, stream, deliveries))
    return stream


async def stop(stream: Stream) -> None:
    """Leave as a closed tab does: the connection goes away."""
    if stream.task:
        stream.task.cancel()
    if stream.writer:
        stream.writer.close()
    if stream.task:
        await asyncio.gather(stream.task, return_exceptions=True)
