"""Answers kept per process, by a key that names everything they show (a user's orders
version among it), so an answer is drawn again only when something in it changed. Each store
is bounded: the least recently used answer goes first."""

import threading
from collections import OrderedDict

from flask import current_app


class Kept:
    """A bounded map of drawn answers, least recently used first out; size 0 keeps nothing."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key, value) -> None:
        if not self.size:
            return
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def kept(name: str, size_setting: str) -> Kept:
    """The app's store `name`, made on first use with the size its setting gives."""
    stores = current_app.extensions.setdefault("kept", {})
    store = stores.get(name)
    if store is None:
        store = stores[name] = Kept(current_app.config[size_setting])
    return store
