"""Logging: one line per request and per job, plain or JSON, each tagged with a request id."""

import logging
import re
import sys
import uuid
from collections.abc import Mapping
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The caller's id if it is a sane token, a new one otherwise (never echo arbitrary text)."""
    return header if header and VALID_REQUEST_ID.fullmatch(header) else new_request_id()


def job_meta(meta: dict | None = None) -> dict:
    """A job's meta with the current request id, so the job logs under the same id."""
    meta = dict(meta or {})
    if (request_id := REQUEST_ID.get()) != "-":
        meta.setdefault("request_id", request_id)
    return meta


def add_request_id(record: logging.LogRecord) -> bool:
    """A log filter: every record gets `request_id` ("-" outside requests and jobs)."""
    record.request_id = REQUEST_ID.get()
    return True


def configure_logging(config: Mapping) -> None:
    """Every log record from LOG_LEVEL up to stderr, formatted as LOG_FORMAT says."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(add_request_id)
    if config["LOG_FORMAT"].lower() == "json":
        renamed = {"levelname": "level", "asctime": "time"}
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields=renamed))
    else:
        handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config["LOG_LEVEL"])
