"""Personal API tokens: made, listed, revoked, and looked up on every API request.

A token is `ctm_` and 40 random letters and digits (the prefix lets secret scanners spot a
leaked one). Only its SHA-256 is stored; the secret is shown once. Each request looks the token
up in Postgres, so a revoked one is refused at the next request on every host."""

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update

from app.extensions import db
from app.models import ApiToken, User

PREFIX = "ctm_"
SECRET_LENGTH = 40
ALPHABET = string.ascii_letters + string.digits
SCOPES = ("read", "read write")
MAX_NAME_LENGTH = 100
# How often "last used" is written at most, per token.
LAST_USED_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def create_token(
    user_id: int, name: str, scope: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and cannot be shown again."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    secret = new_secret()
    expires_at = None
    if expires_in_days:
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)
    token = ApiToken(
        user_id=user_id,
        name=name.strip()[:MAX_NAME_LENGTH],
        token_hash=digest(secret),
        hint=secret[len(PREFIX) : len(PREFIX) + 6],
        scope=scope,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def list_tokens(user_id: int) -> list[ApiToken]:
    """The account's tokens, newest first, revoked ones included (marked)."""
    query = select(ApiToken).where(ApiToken.user_id == user_id)
    return list(db.session.scalars(query.order_by(ApiToken.id.desc())))


def revoke_token(token_id: int, user_id: int, revoked_by: int) -> bool:
    """Revoke one of `user_id`'s tokens; False if there is no such live token."""
    revoked = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=func.now(), revoked_by_id=revoked_by)
        .returning(ApiToken.id)
    ).one_or_none()
    db.session.commit()
    return revoked is not None


@dataclass(frozen=True)
class LiveToken:
    """What a request needs of its token: plain columns, no ORM objects to build."""

    id: int
    user_id: int
    scope: str
    last_used_at: datetime | None
    orders_version: int  # the owner's, as the lookup read it (what a listing shows, app/kept.py)

    @property
    def can_write(self) -> bool:
        return "write" in self.scope.split()


# Every API request asks this, with its owner's orders version in the same round trip: built
# once, the hash as a parameter.
LIVE_TOKEN = (
    select(
        ApiToken.id, ApiToken.user_id, ApiToken.scope, ApiToken.last_used_at, User.orders_version
    )
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > func.now()),
    )
)


def looks_like_a_token(secret: str) -> bool:
    body = secret[len(PREFIX) :]
    return (
        secret.startswith(PREFIX)
        and len(body) == SECRET_LENGTH
        and all(c in ALPHABET for c in body)
    )


def find_live_token(secret: str) -> LiveToken | None:
    """The live token with this secret, or None (unknown, revoked or expired)."""
    if not looks_like_a_token(secret):
        return None
    found = db.session.execute(LIVE_TOKEN, {"token_hash": digest(secret)}).first()
    return LiveToken(*found) if found else None


def note_use(token: LiveToken) -> None:
    """Set "last used", at most once every LAST_USED_EVERY per token (one cheap UPDATE)."""
    now = datetime.now(UTC)
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < func.now() - LAST_USED_EVERY,
            ),
        )
        .values(last_used_at=func.now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
