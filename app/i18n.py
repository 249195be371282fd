"""Languages: which one a page speaks, the switcher that changes it, and locale formatting."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug import Response

from app.extensions import db
from app.time_zones import reader_zone
from app.urls import is_api_request, local_path

LANGUAGES = {"ru": "Русский", "en": "English"}  # as in app.config.LANGUAGE_CODES
TRANSLATIONS = Path(__file__).parent / "translations"
COOKIE = "locale"
bp = Blueprint("i18n", __name__)
babel = Babel()


def select_locale() -> str:
    if is_api_request():  # the API speaks the language of Accept-Language only
        return request.accept_languages.best_match(LANGUAGES) or "en"
    saved = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    for chosen in (saved, request.cookies.get(COOKIE)):
        if chosen in LANGUAGES:
            return chosen
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["DEFAULT_LOCALE"]


def locale_code() -> str:
    """The page's language ("ru", "en"); English outside a request."""
    return str(get_locale() or "en") if has_request_context() else "en"


def newstyle(lookup, defaults: tuple = ()):
    """A text function as Jinja's new-style gettext makes it: the translation marked safe under
    autoescape, then always %-formatted with its variables (and `num`, `context`)."""

    @pass_context
    def translated(context, *args, **variables):
        for name, index in defaults:
            variables.setdefault(name, args[index])
        text = lookup(*args)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return translated


def render_translations() -> dict:
    """The template's text functions bound to the request's translations once per render.
    Flask-Babel's own look the translations and the locale up again for every text (about a
    tenth of a page's time); these behave the same, and a template rendered without the
    context (a macro imported without it) still falls back to Flask-Babel's."""
    translations, code = get_translations(), locale_code()
    return {
        "gettext": newstyle(translations.ugettext),
        "ngettext": newstyle(translations.ungettext, (("num", 2),)),
        "pgettext": newstyle(translations.upgettext, (("context", 0),)),
        "npgettext": newstyle(translations.unpgettext, (("context", 0), ("num", 3))),
        "locale_code": lambda: code,
    }


@bp.post("/language")
def switch_language():
    """Remember the chosen language (on the account too, when logged in) and go back."""
    locale = request.form.get("locale", "")
    response = redirect(local_path(request.form.get("next"), url_for("orders.dashboard")), 303)
    if locale not in LANGUAGES:
        return response
    if current_user.is_authenticated and current_user.locale != locale:
        current_user.account().locale = locale
        db.session.commit()
    secure = current_app.config["SESSION_COOKIE_SECURE"]  # Secure wherever the login's is
    response.set_cookie(
        COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=secure
    )
    return response


def vary_on_language(response: Response) -> Response:
    """A page's language follows the browser's header and the language cookie."""
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_app(app: Flask) -> None:
    app.after_request(vary_on_language)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=reader_zone,
        default_domain="messages",
    )
    app.register_blueprint(bp)
    app.add_template_global(locale_code)
    app.context_processor(render_translations)
    app.add_template_global(LANGUAGES, "LANGUAGES")


def compile_translations() -> None:
    """`pybabel compile`, for processes that start without `make`: gunicorn's master, tests."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)
