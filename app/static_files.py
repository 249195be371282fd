"""Fingerprinted static addresses: `url_for('static', filename=...)` adds `?v=<content hash>`,
so a proxy may keep each address for a year (deploy/nginx.conf marks them immutable) and a
changed file gets a new address. The hash is read once per file and process."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask

FINGERPRINT_LENGTH = 12


@cache
def fingerprint(folder: str, filename: str) -> str | None:
    """The first characters of the file's SHA-256, or None for a file that is not there."""
    try:
        content = (Path(folder) / filename).read_bytes()
    except OSError:
        return None
    return hashlib.sha256(content).hexdigest()[:FINGERPRINT_LENGTH]


def init_app(app: Flask) -> None:
    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        if version := fingerprint(app.static_folder, values["filename"]):
            values["v"] = version
