from flask import Blueprint

bp = Blueprint("orders", __name__)

from app.orders import actions, routes  # noqa: E402,F401
