from flask import render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Order
from app.orders import bp


@bp.get("/")
@login_required
def dashboard():
    orders = db.session.scalars(
        db.select(Order).filter_by(user_id=current_user.id).order_by(Order.created_at.desc())
    ).all()
    return render_template("orders/index.html", orders=orders)


@bp.get("/orders/new")
@login_required
def new():
    return render_template("orders/index.html", orders=[])
