"""Timing live updates: when the app published a change, and when a page showed it."""

import functools
import json
import threading
import time
from collections.abc import Callable

import redis
from flask import Flask, request
from playwright.sync_api import Page

from app.orders.live import user_channel
from tests.support.waiting import wait_until

# Notes, on `window`, the wall-clock time at which #order-summary last turned to each status.
RECORD_SUMMARY_STATUSES = """() => {
  window.__statusShown = {};
  let last = null;
  const note = () => {
    const summary = document.querySelector("#order-summary");
    const status = summary && summary.dataset.status;
    if (status && status !== last) { window.__statusShown[status] = Date.now(); last = status; }
  };
  note();
  new MutationObserver(note).observe(document.documentElement,
    {subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"]});
}"""


class PublishedChanges:
    """Listens to a user's live channel and notes when each (order, status) was published."""

    def __init__(self, app: Flask, user_id: int):
        with app.app_context():
            self.channel = user_channel(user_id)
        self.pubsub = redis.Redis.from_url(app.config["REDIS_URL"]).pubsub(
            ignore_subscribe_messages=True
        )
        self.seen: dict[tuple[str, str], float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.listen, daemon=True)

    def listen(self) -> None:
        while not self.stopped.is_set():
            message = self.pubsub.get_message(timeout=0.1)
            if message:
                change = json.loads(message["data"])
                self.seen.setdefault((change["order_id"], change["status"]), time.time())

    def published_at(self, order_id, status: str) -> float:
        return wait_until(lambda: self.seen.get((str(order_id), status)), seconds=30)

    def __enter__(self) -> "PublishedChanges":
        self.pubsub.subscribe(self.channel)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.pubsub.close()


def record_summary_statuses(page: Page) -> None:
    page.evaluate(RECORD_SUMMARY_STATUSES)


def shown_at(page: Page, status: str) -> float:
    """The wall-clock time (seconds) at which the order page last turned to `status`."""
    return page.evaluate("status => window.__statusShown[status]", status) / 1000


def hold_view(app: Flask, endpoint: str, until: Callable[[], bool]) -> None:
    """Hold the GET requests of one view until `until()` holds."""
    view = app.view_functions[endpoint]

    @functools.wraps(view)
    def held(*args, **kwargs):
        if request.method == "GET":
            wait_until(until, seconds=30, step=0.01)
        return view(*args, **kwargs)

    app.view_functions[endpoint] = held


def streams_open_late(app: Flask, until: Callable[[], bool]) -> None:
    """Hold every new event stream until `until()` holds: a page that (re)connects after the
    change it waits for was published, as when the worker beats the browser's navigation."""
    hold_view(app, "orders.events", until)
