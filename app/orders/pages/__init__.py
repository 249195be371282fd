"""The orders' blueprint: dashboard, order page, forms, buttons and the conflict page."""

from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.record_once
def setup(state) -> None:
    from app.orders import live
    from app.orders.pages.confirmations import confirmation

    live.init_app(state.app)
    state.app.add_template_global(confirmation)


from app.orders.pages import actions, revisions, routes  # noqa: E402,F401
