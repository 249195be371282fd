"""Login sessions in the database, so that logging out ends a login for good: the cookie holds a
random token (Flask-Login's alternative token), the database its SHA-256 and its age."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import bindparam, delete, func, select

from app.ended_logins import end_logins
from app.extensions import db
from app.models import User, UserSession
from app.passwords import password_matches

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


class SessionUser(UserMixin):
    """The user of a live login as every request sees it (`current_user`): their row's columns,
    read by a plain statement rather than an ORM query, which cost a tenth of an unchanged
    refresh. A change to the account goes through `account()`, the ORM's User."""

    def __init__(self, row, token: str, max_age: int):
        for column in USER_COLUMNS:
            setattr(self, column, row[column])
        self.session_token = token
        self.session_expires_at = row["session_started"].timestamp() + max_age  # time.time()

    def get_session_token(self) -> str:
        return self.session_token

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    def account(self) -> User:
        """The ORM's User of this login, with its token, to change and commit."""
        user = db.session.get(User, self.id)
        user.session_token, user.session_expires_at = self.session_token, self.session_expires_at
        return user


# Every request asks this, so it is built once, with the token and the age as parameters.
USER_COLUMNS = tuple(column.key for column in User.__table__.columns)
LIVE_LOGIN = (
    select(*User.__table__.columns, UserSession.created_at.label("session_started"))
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash"),
        UserSession.created_at >= func.now() - bindparam("max_age"),
    )
)


def load_session_user(token) -> SessionUser | None:
    """The user of a live session (Flask-Login's user loader), or None."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        return None
    max_age = current_app.config["SESSION_MAX_AGE_SECONDS"]
    params = {"token_hash": digest(token), "max_age": timedelta(seconds=max_age)}
    found = db.session.connection().execute(LIVE_LOGIN, params).first()
    return None if found is None else SessionUser(found._mapping, token, max_age)


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
