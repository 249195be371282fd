from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.record_once
def setup(state) -> None:
    from app.orders import live, quick_refresh

    live.init_app(state.app)
    quick_refresh.init_app(state.app)


from app.orders import actions, revisions, routes  # noqa: E402,F401
