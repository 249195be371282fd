"""Webhooks: customers' endpoints hear of every status change of their orders, signed to the
Standard Webhooks specification and delivered at least once through the worker (README.md,
"Webhooks"). The outbox (`outbox`) writes each event with its change; `delivery` sends it;
`service` is what the account page and the API call; `addresses` keeps deliveries off
private networks."""

from flask import Flask
from sqlalchemy import event

from app.extensions import db
from app.webhooks import outbox


def init_app(app: Flask) -> None:
    """The outbox hooks, registered once per process (the account page's routes are in
    app/auth/webhook_pages.py)."""
    hooks = {
        "before_commit": outbox.write_events,
        "after_commit": outbox.queue_written,
        "after_transaction_end": outbox.forget,
    }
    for name, hook in hooks.items():
        if not event.contains(db.session, name, hook):
            event.listen(db.session, name, hook)
