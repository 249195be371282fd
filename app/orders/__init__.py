from flask import Blueprint

bp = Blueprint("orders", __name__)


@bp.record_once
def setup(state) -> None:
    from app.orders import live

    live.init_app(state.app)


from app.orders import actions, routes  # noqa: E402,F401
