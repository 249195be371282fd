"""Ending logins: their rows in `user_sessions` deleted, and each ended login noted on the
database session, so that once the deletion commits the web processes end that login's live
streams at once (`app.orders.live` publishes the noted logins, `app.orders.live.logins` ends the
streams). A login that ends any other way (a row or a user deleted in SQL, an expired login)
ends its streams at the next check of each process's streams, about a second later.
"""

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import UserSession

PENDING_KEY = "ended_logins"


def end_logins(*conditions) -> int:
    """Delete the logins matching `conditions` (the caller commits); returns how many."""
    ended = db.session.execute(
        delete(UserSession)
        .where(*conditions)
        .returning(UserSession.user_id, UserSession.token_hash)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.info.setdefault(PENDING_KEY, []).extend(map(tuple, ended))
    return len(ended)


def take_ended(session: Session) -> list[tuple[int, str]]:
    """The (user id, token digest) of the logins ended on `session` since it last committed or
    rolled back, now forgotten."""
    return session.info.pop(PENDING_KEY, [])
