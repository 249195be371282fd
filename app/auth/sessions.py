"""Login sessions in the database, so that logging out ends a login for good: the cookie holds a
random token (Flask-Login's alternative token), the database its SHA-256 and its age."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select

from app.ended_logins import end_logins
from app.extensions import db
from app.models import User, UserSession

MAX_TOKEN_LENGTH = 100


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def oldest_allowed():
    """Sessions created before this (in the database's clock) have expired."""
    return func.now() - timedelta(seconds=current_app.config["SESSION_MAX_AGE_SECONDS"])


def start_session(user: User) -> str:
    """Record a new login for `user` (and drop its expired ones); returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    expired = UserSession.user_id == user.id, UserSession.created_at < oldest_allowed()
    db.session.execute(delete(UserSession).where(*expired))
    db.session.add(UserSession(user_id=user.id, token_hash=digest(token)))
    db.session.commit()
    user.session_token = token
    return token


# Every request asks this, so it is built once, with the token and the age as parameters.
LIVE_LOGIN = (
    select(User, UserSession.created_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.created_at >= func.now() - bindparam("max_age"),
    )
)


def load_session_user(token) -> User | None:
    """The user of a live session (Flask-Login's user loader), or None."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        return None
    age = timedelta(seconds=current_app.config["SESSION_MAX_AGE_SECONDS"])
    found = db.session.execute(LIVE_LOGIN, {"token_hash": digest(token), "max_age": age}).first()
    if found is None:
        return None
    user, started = found
    user.session_token = token
    user.session_expires_at = started.timestamp() + current_app.config["SESSION_MAX_AGE_SECONDS"]
    return user


def end_session(token: str) -> None:
    end_logins(UserSession.token_hash == digest(token))
    db.session.commit()


def end_other_sessions(user: User) -> int:
    """End every login of `user` but the current one; returns how many ended."""
    others = UserSession.token_hash != digest(user.session_token)
    ended = end_logins(UserSession.user_id == user.id, others)
    db.session.commit()
    return ended


def count_sessions(user: User) -> int:
    live = UserSession.user_id == user.id, UserSession.created_at >= oldest_allowed()
    return db.session.scalar(select(func.count()).select_from(UserSession).where(*live))
