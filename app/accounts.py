"""Creating and updating accounts: customers, and the operators who run the desk."""

from functools import cache

from email_validator import EmailNotValidError, validate_email
from werkzeug.security import generate_password_hash

from app.database import give_back_connection
from app.ended_logins import end_logins
from app.extensions import db
from app.models import User, UserSession
from app.passwords import password_matches

MIN_PASSWORD = 6
MAX_PASSWORD = 128


class AccountError(ValueError):
    """The account could not be created as asked."""


def checked_email(email: str) -> str:
    try:
        result = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(str(error)) from error
    return User.normalise_email(result.normalized)


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).filter_by(email=User.normalise_email(email)))


def new_user(email: str, password: str, operator: bool = False) -> User:
    user = set_password(User(email=email, is_operator=operator), password)
    db.session.add(user)
    db.session.commit()
    return user


def create_user(email: str, password: str, operator: bool = False) -> User:
    email = checked_email(email)
    if find_user(email):
        raise AccountError(f"An account for {email} exists already.")
    return new_user(email, password, operator)


def upsert_user(email: str, password: str) -> tuple[User, bool]:
    """Create the user or set its password; returns the user and whether it was new."""
    email = checked_email(email)
    user = find_user(email)
    if user is not None:
        return change_password(user, password), False
    return new_user(email, password), True


def change_password(user: User, password: str) -> User:
    """Set a new password and end every login of this user, wherever it is."""
    set_password(user, password)
    end_logins(UserSession.user_id == user.id)
    db.session.commit()
    return user


def set_operator(email: str, operator: bool) -> User:
    user = find_user(email)
    if user is None:
        raise AccountError(f"There is no account for {User.normalise_email(email)}.")
    user.is_operator = operator
    db.session.commit()
    return user


def set_password(user: User, password: str) -> User:
    """Give `user` a new password of an allowed length; the caller commits."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"The password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters.")
    user.set_password(password)
    return user


@cache
def _decoy_hash() -> str:
    return generate_password_hash("decoy password for unknown emails")


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown emails cost the same hashing time."""
    user = find_user(email)
    stored = user.password_hash if user is not None else _decoy_hash()
    give_back_connection()
    return user if password_matches(stored, password) and user is not None else None
