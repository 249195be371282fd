"""The release step of the stack, in one process: the database created if missing, the
migrations applied, the seeded user made (test@gmail.com / qwe123, for the local sandbox desk).
Run with the database's own address (not PgBouncer's) and no statement timeout."""

from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app_or_exit
from app.accounts import upsert_user
from app.cli import ensure_database

SEEDED_EMAIL, SEEDED_PASSWORD = "test@gmail.com", "qwe123"


def main() -> None:
    app = create_app_or_exit()
    with app.app_context():
        ensure_database(make_url(app.config["SQLALCHEMY_DATABASE_URI"]))
        upgrade()
        upsert_user(SEEDED_EMAIL, SEEDED_PASSWORD)


if __name__ == "__main__":
    main()
