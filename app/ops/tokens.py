"""The console's API tokens: a customer's tokens, found by part of their email, and revoking
one (a leaked token, a customer who asks)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.api.tokens import revoke_token
from app.extensions import db
from app.models import ApiToken, User
from app.ops import bp
from app.query_args import plain_text

MAX_SHOWN = 200


def tokens_of_customers(customer: str) -> list[ApiToken]:
    query = (
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .options(contains_eager(ApiToken.user))
    )
    if customer:
        query = query.where(func.lower(User.email).contains(customer.lower(), autoescape=True))
    return list(db.session.scalars(query.order_by(ApiToken.id.desc()).limit(MAX_SHOWN)))


@bp.get("/tokens")
def tokens():
    customer = plain_text(request.args, "customer", 254)
    found = tokens_of_customers(customer)
    return render_template("ops/tokens.html", tokens=found, customer=customer)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    back = url_for("ops.tokens", customer=request.form.get("customer", "")[:254])
    if token is not None and revoke_token(token.id, token.user_id, current_user.id):
        flash(_("Token revoked. Requests with it are refused from now on."), "success")
    else:
        flash(_("That token was revoked already."), "info")
    return redirect(back, 303)
