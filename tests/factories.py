"""Small factories for test data."""

import itertools
from functools import cache

from werkzeug.security import generate_password_hash

from app.models import User

_numbers = itertools.count(1)


@cache
def password_hash(password: str) -> str:
    return generate_password_hash(password)


class Factory:
    def __init__(self, session):
        self.session = session

    def user(
        self, email: str | None = None, password: str = "secret123", operator: bool = False
    ) -> User:
        user = User(email=email or f"user{next(_numbers)}@example.com", is_operator=operator)
        user.password_hash = password_hash(password)
        self.session.add(user)
        self.session.commit()
        return user
