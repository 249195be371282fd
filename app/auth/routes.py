from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import authenticate, set_password
from app.auth import bp
from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.limits import count_attempt, forget_failed_attempts
from app.auth.sessions import end_other_sessions, end_session, start_session
from app.auth.token_pages import account_page
from app.database import give_back_connection
from app.urls import local_path


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Every POST is counted by the login limit (app.auth.limits) before anything else."""
    if request.method == "POST":
        count_attempt()
    if current_user.is_authenticated:
        return redirect(url_for("orders.dashboard"))
    form = LoginForm()
    if request.method != "POST":
        return render_template("auth/login.html", form=form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 422
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        form.password.errors.append(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 401
    forget_failed_attempts(user)
    start_session(user)
    login_user(user)
    return redirect(local_path(request.args.get("next"), url_for("orders.dashboard")))


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user.session_token)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account(form: ChangePasswordForm | None = None):
    return account_page(form=form)


@bp.post("/account/password")
@login_required
def change_password():
    """Every other login of the account ends with the old password; this one stays."""
    form = ChangePasswordForm()
    if not form.validate():
        return account(form), 422
    give_back_connection()  # not held through the password checks
    if not current_user.check_password(form.current_password.data):
        form.current_password.errors.append(_("That is not your current password."))
        return account(form), 422
    set_password(current_user.account(), form.new_password.data)
    end_other_sessions(current_user)  # commits the new password with the sessions' end
    flash(_("Your password is changed, and every other session is logged out."), "success")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/sessions/end-others")
@login_required
def end_others():
    ended = end_other_sessions(current_user)
    message = ngettext(
        "Logged out of %(num)d other session.", "Logged out of %(num)d other sessions.", ended
    )
    flash(message, "success")
    return redirect(url_for("auth.account"), 303)
