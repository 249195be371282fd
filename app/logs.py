"""Logging: one line per request and per job, each tagged with a request id.

A request takes its id from an `X-Request-ID` header (when it looks like one) or makes one, and
returns it in the response. Jobs carry the id of the request (or job) that queued them in their
meta, so a customer's click, its send job and that job's retries share one id. Lines are plain
text, or JSON objects when LOG_FORMAT=json.
"""

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
    if header and VALID_REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str | None:
    value = REQUEST_ID.get()
    return None if value == "-" else value


def job_meta(meta: dict | None = None) -> dict:
    """A job's meta with the current request id, so the job logs under the same id."""
    meta = dict(meta or {})
    if (request_id := current_request_id()) is not None:
        meta.setdefault("request_id", request_id)
    return meta


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside requests and jobs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
    return logging.Formatter(PLAIN_FORMAT)


def configure_logging(config: Mapping) -> None:
    """Send every log record to stderr, formatted as LOG_FORMAT says (`plain` or `json`), from
    LOG_LEVEL up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(make_formatter(config["LOG_FORMAT"].lower()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config["LOG_LEVEL"])
