"""Ending logins, each noted on the database session so that once the deletion commits
`app.orders.live` ends its live streams at once (other endings: at the next check)."""

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import UserSession

PENDING_KEY = "ended_logins"


def end_logins(*conditions) -> int:
    """Delete the logins matching `conditions` (the caller commits); returns how many."""
    deletion = delete(UserSession).where(*conditions).execution_options(synchronize_session=False)
    returning = deletion.returning(UserSession.user_id, UserSession.token_hash)
    ended = db.session.execute(returning).all()
    db.session.info.setdefault(PENDING_KEY, []).extend(map(tuple, ended))
    return len(ended)


def take_ended(session: Session) -> list[tuple[int, str]]:
    """The (user id, token digest) of the logins ended since the last commit or rollback."""
    return session.info.pop(PENDING_KEY, [])
