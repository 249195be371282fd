"""Everything about orders. What other parts of the app may ask of it, beside the blueprint:
the operators' actions (the same guarded paths as the command line), and how a stored reason
reads in the current language."""

from flask import Blueprint

bp = Blueprint("orders", __name__)

from app.orders.reasons import localized  # noqa: E402,F401
from app.orders.send_resolution import ProviderIdTaken, resolve_send, retry_send  # noqa: E402,F401
from app.orders.sync import recheck_status  # noqa: E402,F401
from app.orders.transitions import ChangeRefused  # noqa: E402,F401


@bp.record_once
def setup(state) -> None:
    from app.orders import live

    live.init_app(state.app)


from app.orders import actions, revisions, routes  # noqa: E402,F401
