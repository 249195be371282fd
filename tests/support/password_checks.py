"""Counting the password checks that actually run: every call of the function that compares a
password with its hash (`app.passwords`, for a known account and for the decoy of an unknown
one alike), across the server's threads."""

import threading

import pytest

import app.passwords

HASH_CHECKERS = (app.passwords,)


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
