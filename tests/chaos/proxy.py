"""A TCP fault proxy: listens on a free local port, forwards to one upstream, and can

- cut: stop listening (new connections are refused) and reset the open ones;
- freeze: keep accepting and keep the connections open, but forward nothing until thawed
  (what a stalled server looks like: the kernel still answers, the program does not);
- delay: hold every chunk for some seconds before forwarding it.

It runs an asyncio loop in a daemon thread; the methods are called from the test's thread.
"""

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from urllib.parse import urlsplit, urlunsplit

CHUNK = 65536


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, name: str = "proxy"):
        self.upstream = (upstream_host, upstream_port)
        self.name = name
        self.port = 0
        self.delay = 0.0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.server: asyncio.Server | None = None
        self.flowing: asyncio.Event | None = None
        self.open: set[asyncio.StreamWriter] = set()

    # Called from the test's thread.

    def start(self) -> "FaultProxy":
        self.thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        self._call(self._shut_down())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        self._call(self._cut())

    def freeze(self) -> None:
        """Accept, but forward nothing in either direction."""
        self.loop.call_soon_threadsafe(self.flowing.clear)

    def set_delay(self, seconds: float) -> None:
        self.delay = seconds

    def restore(self) -> None:
        """Back to forwarding at once: listen again, release what a freeze held back."""
        self.delay = 0.0
        self._call(self._restore())

    def url(self, url: str) -> str:
        """`url` (redis://…, postgresql+psycopg2://…) with its host and port replaced by ours."""
        parts = urlsplit(url)
        address = f"127.0.0.1:{self.port}"
        if "@" in parts.netloc:
            address = parts.netloc.rsplit("@", 1)[0] + "@" + address
        return urlunsplit(parts._replace(netloc=address))

    @classmethod
    def in_front_of(cls, url: str, name: str = "proxy") -> "FaultProxy":
        """A started proxy to the server that `url` names."""
        parts = urlsplit(url)
        default_port = {"redis": 6379}.get(parts.scheme, 5432)
        return cls(parts.hostname, parts.port or default_port, name).start()

    def _call(self, coroutine: Coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    # Inside the loop.

    async def _start(self) -> None:
        self.flowing = asyncio.Event()
        self.flowing.set()
        await self._listen()

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.open):
            reset(writer)
        self.open.clear()
        self.flowing.set()

    async def _shut_down(self) -> None:
        """Cut, then end every connection's task, so none is left pending."""
        await self._cut()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _restore(self) -> None:
        self.flowing.set()
        if self.server is None:
            await self._listen()

    async def _accept(self, client_reader, client_writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            reset(client_writer)
            return
        pair = {client_writer, upstream_writer}
        self.open |= pair
        try:
            await asyncio.gather(
                self._pipe(client_reader, upstream_writer),
                self._pipe(upstream_reader, client_writer),
            )
        finally:
            for writer in pair:
                self.open.discard(writer)
                writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward one direction until either side closes; then close the other side too."""
        try:
            while data := await reader.read(CHUNK):
                await self.flowing.wait()
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed peer would, not a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
