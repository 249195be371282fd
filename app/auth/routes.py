from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import authenticate
from app.auth import bp
from app.auth.forms import LoginForm
from app.auth.limits import forget_failed_attempts
from app.auth.sessions import count_sessions, end_other_sessions, end_session, start_session
from app.urls import local_path


def safe_next(target: str | None) -> str:
    """Only a local path may follow login; anything else goes to the dashboard."""
    return local_path(target, url_for("orders.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Every POST here has already been counted by the login limit (app.auth.limits)."""
    if current_user.is_authenticated:
        return redirect(url_for("orders.dashboard"))
    form = LoginForm()
    if request.method != "POST":
        return render_template("auth/login.html", form=form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 422
    target = safe_next(request.args.get("next"))
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        form.password.errors.append("Wrong email or password.")
        return render_template("auth/login.html", form=form), 401
    forget_failed_attempts()
    start_session(user)
    login_user(user)
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user.session_token)
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", sessions=count_sessions(current_user))


@bp.post("/account/sessions/end-others")
@login_required
def end_others():
    ended = end_other_sessions(current_user)
    plural = "" if ended == 1 else "s"
    flash(f"Logged out of {ended} other session{plural}.", "success")
    return redirect(url_for("auth.account"), 303)
