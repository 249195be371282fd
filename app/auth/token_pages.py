"""The account page's API tokens: create one (its secret shown once, on the page that answers
the form: never in a redirect or a flash, which would keep it in the session) and revoke one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api.tokens import create_token, list_tokens, revoke_token
from app.auth import bp
from app.auth.forms import ApiTokenForm, ChangePasswordForm
from app.auth.sessions import count_sessions


def account_page(form=None, token_form=None, new_token=None, new_secret=None):
    return render_template(
        "auth/account.html",
        form=form or ChangePasswordForm(),
        sessions=count_sessions(current_user),
        tokens=list_tokens(current_user.id),
        token_form=token_form or ApiTokenForm(formdata=None),
        new_token=new_token,
        new_secret=new_secret,
    )


@bp.post("/account/tokens")
@login_required
def create_api_token():
    form = ApiTokenForm()
    if not form.validate():
        return account_page(token_form=form), 422
    days = int(form.expires.data) if form.expires.data else None
    token, secret = create_token(current_user.id, form.name.data, form.scope.data, days)
    return account_page(new_token=token, new_secret=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    if revoke_token(token_id, current_user.id, current_user.id):
        flash(_("Token revoked. Requests with it are refused from now on."), "success")
    else:
        flash(_("That token was revoked already."), "info")
    return redirect(url_for("auth.account") + "#api-tokens-title", 303)
