"""Which language a page speaks: the customer's choice, then the browser's, then the default;
and the switcher, with and without an account."""

import re

import pytest
from flask import render_template_string

from app import create_app
from app.config import LANGUAGE_CODES, Config, ConfigError
from app.extensions import db
from app.i18n import LANGUAGES
from app.models import User
from tests.support.auth import EMAIL, AuthActions
from tests.support.environment import PRODUCTION, use_environment

LANG = re.compile(r'<html lang="(\w+)">')


def page_language(response) -> str:
    return LANG.search(response.get_data(as_text=True)).group(1)


def test_russian_is_the_default_unless_configured():
    assert Config.DEFAULT_LOCALE == "ru"


@pytest.mark.parametrize("default", ["ru", "en"])
def test_a_browser_that_asks_for_nothing_gets_the_default(make_app, default):
    client = make_app(DEFAULT_LOCALE=default).test_client()
    assert page_language(client.get("/login")) == default


@pytest.mark.parametrize(
    ("header", "language"),
    [("ru-RU,ru;q=0.9,en;q=0.8", "ru"), ("en-GB,en;q=0.9", "en"), ("de-DE,de;q=0.9", "ru")],
)
def test_the_browser_language_comes_before_the_default(make_app, header, language):
    client = make_app(DEFAULT_LOCALE="ru").test_client()
    response = client.get("/login", headers={"Accept-Language": header})
    assert page_language(response) == language


def test_an_unknown_default_stops_the_start(make_app):
    with pytest.raises(ConfigError, match="DEFAULT_LOCALE"):
        make_app(DEFAULT_LOCALE="fr")


def test_the_switcher_works_before_login_and_is_remembered_by_the_browser(client):
    russian = {"Accept-Language": "ru"}
    switched = client.post("/language", data={"locale": "en", "next": "/login?next=/catalog"})
    assert switched.status_code == 303 and switched.location == "/login?next=/catalog"
    assert page_language(client.get("/login", headers=russian)) == "en"


def test_the_switcher_saves_the_choice_on_the_account(client, user, make_app):
    auth = AuthActions(client)
    auth.login()
    client.post("/language", data={"locale": "ru", "next": "/"})
    assert db.session.get(User, user.id).locale == "ru"
    english = {"Accept-Language": "en"}
    assert page_language(client.get("/", headers=english)) == "ru"

    other_browser = make_app().test_client()
    AuthActions(other_browser).login(EMAIL, headers=english)
    assert page_language(other_browser.get("/", headers=english)) == "ru"


def test_the_switcher_ignores_a_language_it_does_not_know(client, user):
    AuthActions(client).login()
    for locale in ("xx", "<script>", ""):
        response = client.post("/language", data={"locale": locale, "next": "/catalog"})
        assert response.status_code == 303 and response.location == "/catalog"
        assert "locale=" not in response.headers.get("Set-Cookie", "")
    assert db.session.get(User, user.id).locale is None


def test_the_switcher_goes_back_only_to_a_page_of_this_site(client):
    for target in ("//evil.example", "https://evil.example/", "/x\r\nSet-Cookie: a=b"):
        response = client.post("/language", data={"locale": "en", "next": target})
        assert response.status_code == 303 and response.location == "/"


def test_every_page_names_its_language_and_offers_the_other(client, user):
    AuthActions(client).login()
    html = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert re.search(r'<button[^>]*name="locale" value="en"[^>]*>English</button>', html)
    assert 'value="ru"' not in html.split('class="langbox"')[1].split("</form>")[0]


def test_pages_tell_caches_that_they_vary_with_the_language(client):
    vary = client.get("/login").headers["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary
    assert "Accept-Language" not in client.get("/static/app.css").headers.get("Vary", "")


def test_the_settings_know_every_language_the_app_has():
    assert set(LANGUAGE_CODES) == set(LANGUAGES)


def language_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("locale=")]
    return cookie


def test_the_language_cookie_is_secure_in_production(monkeypatch):
    use_environment(monkeypatch, **PRODUCTION)
    client, https = create_app().test_client(), "https://desk.example"
    page = client.get("/login", base_url=https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = {"locale": "en", "csrf_token": token}
    referer = {"Referer": f"{https}/login"}  # CSRF protection asks for it over HTTPS
    answer = client.post("/language", data=data, base_url=https, headers=referer)
    cookie = language_cookie(answer)
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_language_cookie_follows_the_session_cookie(make_app):
    """Secure wherever the login's cookie is (an operator may set that outside production)."""
    for secure in (True, False):
        client = make_app(SESSION_COOKIE_SECURE=secure).test_client()
        response = client.post("/language", data={"locale": "en"}, base_url="https://desk")
        assert ("; Secure" in language_cookie(response)) is secure


TEXTS = (
    '{{ _("Log out") }}|{{ _("%(num)d of %(total)d services match “%(query)s”.", num=1,'
    ' total=2, query="<b>") }}|{{ ngettext("%(num)d service.", "%(num)d services.", 3) }}|'
    '{{ pgettext("provider call", "Send") }}|{{ _("<i>%(x)s</i>", x="<u>") }}|{{ locale_code() }}'
)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_texts_bound_once_per_render_read_as_flask_babels_own(make_app, language):
    """Pages bind the text functions to the request's translations once per render; they must
    translate, escape and format exactly as Flask-Babel's own, which need no render context."""
    app = make_app()
    with app.test_request_context(headers={"Accept-Language": language}):
        bound = render_template_string(TEXTS)
        own = app.jinja_env.from_string(TEXTS).render()
    assert bound == own
    assert "&lt;b&gt;" in bound and "<i>&lt;u&gt;</i>" in bound and f"|{language}" in bound
    assert ("Выйти" in bound) == (language == "ru")
