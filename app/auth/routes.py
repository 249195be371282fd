from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import authenticate, set_password
from app.auth import bp, ratelimit
from app.auth.forms import ChangePasswordForm, LoginForm
from app.urls import local_path


def safe_next(target: str | None) -> str:
    """Only a local path may follow login; anything else goes to the dashboard."""
    return local_path(target, url_for("orders.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("orders.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 422
    email, address = form.email.data, request.remote_addr or "unknown"
    if ratelimit.is_limited(email, address):
        abort(429)
    user = authenticate(email, form.password.data)
    if user is None:
        ratelimit.record_failure(email, address)
        form.password.errors.append("Wrong email or password.")
        return render_template("auth/login.html", form=form), 401
    ratelimit.clear_email(email, address)
    login_user(user)
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", form=ChangePasswordForm())


@bp.post("/account/password")
@login_required
def change_password():
    """A new password, given the current one; a wrong current one changes nothing (422)."""
    form = ChangePasswordForm()
    if not form.validate():
        return render_template("auth/account.html", form=form), 422
    if not current_user.check_password(form.current_password.data):
        form.current_password.errors.append("That is not your current password.")
        return render_template("auth/account.html", form=form), 422
    set_password(current_user, form.new_password.data)
    flash("Your password is changed.", "success")
    return redirect(url_for("auth.account"), 303)
