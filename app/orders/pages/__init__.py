"""The orders' pages: the dashboard and its table, the order page, the new and edit forms, the
buttons that send, cancel, delete and order again, and the conflict page of a stale edit."""

from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.record_once
def setup(state) -> None:
    from app.orders import live

    live.init_app(state.app)


from app.orders.pages import actions, revisions, routes  # noqa: E402,F401
