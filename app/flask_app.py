"""The app's Flask class: Flask asks of every hook and view, on every request, whether it is a
coroutine function (`ensure_sync`); the answer never changes, so it is asked once per function."""

from collections.abc import Callable

from flask import Flask


class App(Flask):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._runnable: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            return self._runnable[func]
        except KeyError:
            runnable = self._runnable[func] = super().ensure_sync(func)
            return runnable
        except TypeError:  # a callable object that cannot be a key
            return super().ensure_sync(func)
