"""Idempotency-Key on POST: the first answer is kept per account for API_IDEMPOTENCY_SECONDS.
The same key with the same request replays it (marked `Idempotent-Replayed: true`); with a
different request it is a 422; while the first is still being handled, a 409. A first request
unfinished after API_IDEMPOTENCY_LEASE_SECONDS (its process died) frees its key."""

import hashlib
import json
import logging
from datetime import timedelta

from flask import Response, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import ApiIdempotencyKey as Key
from app.problems import ApiProblem

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
log = logging.getLogger(__name__)


def request_fingerprint() -> str:
    """The method, path, query and body (JSON compared by meaning, not spacing)."""
    body = request.get_json(silent=True)
    text = json.dumps(body, sort_keys=True) if body is not None else request.get_data(as_text=False)
    parts = [request.method, request.path, request.query_string.decode(), str(text)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read_key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        detail = _("An Idempotency-Key is 1 to 255 printable characters.")
        raise ApiProblem(400, "invalid_idempotency_key", detail)
    return key


def begin() -> Response | None:
    """Claim the request's key (then None), or the stored answer to replay; 409/422 otherwise."""
    if request.method != "POST" or (key := read_key()) is None:
        return None
    user_id, fingerprint = g.user_id, request_fingerprint()
    forget_old(user_id, key)
    claimed = db.session.execute(
        insert(Key)
        .values(user_id=user_id, key=key, request_hash=fingerprint)
        .on_conflict_do_nothing()
        .returning(Key.key)
    ).first()
    db.session.commit()
    if claimed:
        g.idempotency_key = key
        return None
    return replay(db.session.get(Key, (user_id, key)), fingerprint)


def forget_old(user_id: int, key: str) -> None:
    config = current_app.config
    kept = timedelta(seconds=config["API_IDEMPOTENCY_SECONDS"])
    lease = timedelta(seconds=config["API_IDEMPOTENCY_LEASE_SECONDS"])
    db.session.execute(
        delete(Key).where(
            Key.user_id == user_id,
            Key.key == key,
            or_(
                Key.created_at < func.now() - kept,
                (Key.status_code.is_(None)) & (Key.created_at < func.now() - lease),
            ),
        )
    )


def replay(stored: Key | None, fingerprint: str) -> Response:
    if stored is None or stored.status_code is None:
        detail = _("A request with this Idempotency-Key is still being handled. Retry shortly.")
        raise ApiProblem(409, "idempotency_key_in_use", detail, headers={"Retry-After": "1"})
    if stored.request_hash != fingerprint:
        detail = _("This Idempotency-Key was used for a different request.")
        raise ApiProblem(422, "idempotency_key_reused", detail)
    response = Response(stored.body, stored.status_code, headers=stored.headers or {})
    response.headers[REPLAYED] = "true"
    return response


def finish(response: Response) -> Response:
    """Keep the answer under the claimed key; a 5xx or 429 frees the key for a retry."""
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    user_id = g.user_id
    where = (Key.user_id == user_id, Key.key == key)
    try:
        db.session.rollback()
        if response.status_code >= 500 or response.status_code == 429:
            db.session.execute(delete(Key).where(*where))
        else:
            headers = {
                name: response.headers[name] for name in KEPT_HEADERS if name in response.headers
            }
            body = response.get_data(as_text=True)
            db.session.execute(
                update(Key)
                .where(*where)
                .values(status_code=response.status_code, headers=headers, body=body)
            )
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("idempotency key %r not settled: %s", key, error)
    return response
