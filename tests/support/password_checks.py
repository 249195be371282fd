"""Counting the password checks that actually run: every call of the function that compares a
password with its hash, for a known account (`app.models`) or an unknown one (the decoy in
`app.accounts`), across the server's threads."""

import threading

import pytest

import app.accounts
import app.models

HASH_CHECKERS = (app.models, app.accounts)


class PasswordChecks:
    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.count, self.lock = 0, threading.Lock()
        for module in HASH_CHECKERS:
            monkeypatch.setattr(module, "check_password_hash", self.counted(module))

    def counted(self, module):
        check = module.check_password_hash

        def counted_check(password_hash: str, password: str) -> bool:
            with self.lock:
                self.count += 1
            return check(password_hash, password)

        return counted_check
