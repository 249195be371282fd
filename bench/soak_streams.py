"""The soak customers' open dashboards: one live stream per logged-in customer, held through
nginx for the whole soak on an event loop of its own, reconnecting as a browser does; each gap
(a stream ended or failed until it is open again) is kept."""

import asyncio
import threading
import time

from bench.sse_client import Deliveries, Stream, start, stop


class OpenDashboards(threading.Thread):
    def __init__(self, url: str):
        super().__init__(name="streams", daemon=True)
        self.url = url + "/orders/events"
        self.loop = asyncio.new_event_loop()
        self.streams: list[Stream] = []
        self.deliveries = Deliveries()

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def open(self, user: int, cookie: str) -> None:
        """A customer's dashboard tab opens its stream (called from the customer's thread)."""
        stream = Stream(user, cookie)
        self.streams.append(stream)
        self.loop.call_soon_threadsafe(start, self.url, stream, self.deliveries)

    def open_for(self, customer) -> None:
        self.open(customer.random.random(), customer.cookie())

    def close_all(self) -> None:
        async def closing() -> None:
            await asyncio.gather(*(stop(s) for s in self.streams))

        asyncio.run_coroutine_threadsafe(closing(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(timeout=10)

    def gaps(self, began: float) -> list[tuple[float, float]]:
        """Every gap as (its start in seconds since the soak began, its length in seconds); a
        stream still down counts until now (not a tab that polls instead)."""
        now = time.monotonic()
        closed = [(down, up) for stream in self.streams for down, up in stream.gaps]
        down = [s for s in self.streams if s.down_since is not None and not s.gave_up_at]
        still = [(s.down_since, now) for s in down]
        return sorted((down - began, up - down) for down, up in closed + still)

    def gave_up(self, began: float) -> list[tuple[float, str]]:
        """The tabs that stopped streaming (the page polls instead): when, and the answer."""
        return sorted((s.gave_up_at - began, str(s.status)) for s in self.streams if s.gave_up_at)
