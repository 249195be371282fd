"""The order desk: the app factory."""

import sys

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import (
    database,
    errors,
    flashes,
    htmx,
    long_addresses,
    passwords,
    reasons,
    security,
    time_zones,
    urls,
)
from app.config import Config, ConfigError, check_settings, refusal
from app.extensions import cache, csrf, db, init_redis, login_manager, migrate, redis_options
from app.flask_app import App


def create_app(config: type | dict | None = None) -> Flask:
    from app import (
        auth,
        catalog,
        cli,
        form_body,
        formatting,
        health,
        i18n,
        instrument,
        ops,
        static_files,
        webhooks,
    )
    from app.api import hooks as api
    from app.auth import limits, webhook_pages
    from app.auth.sessions import load_session_user
    from app.metrics.routes import bp as metrics_bp
    from app.orders.pages import bp as orders_bp

    app = App(__name__)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    else:
        app.config.from_object(config or Config)
        app.config.update((config or Config).from_env())
    check_settings(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", database.engine_options(app.config))
    app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["CATALOG_CACHE_SECONDS"])
    app.config.setdefault("CACHE_OPTIONS", redis_options(app.config["REDIS_SOCKET_TIMEOUT"]))
    # First, so that its hooks see every request, even one that CSRF protection refuses.
    instrument.init_app(app)
    # Before CSRF protection, the login limit and every view: the 414 for an address too long,
    # the console's 404 for all but operators, then the rule on form bodies (app/form_body.py).
    app.before_request(long_addresses.refuse_long_address)
    app.before_request(ops.hide_from_everyone_else)
    app.before_request(form_body.refuse_other_bodies)
    database.init_app(app)
    static_files.init_app(app)
    passwords.init_app(app)
    db.init_app(app)
    app.teardown_appcontext(database.end_session)  # runs before Flask-SQLAlchemy's
    migrate.init_app(app, db)
    csrf.init_app(app)
    cache.init_app(app)
    init_redis(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.localize_callback = str  # the message in the page's language, at flash time
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    login_manager.id_attribute = "get_session_token"
    limits.init_app(app)
    security.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(catalog.bp, url_prefix="/catalog")
    app.register_blueprint(orders_bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(ops.bp, url_prefix=ops.PREFIX)
    webhooks.init_app(app)
    app.register_blueprint(webhook_pages.bp)
    api.init_app(app)
    i18n.init_app(app)
    time_zones.init_app(app)
    app.add_template_global(flashes.page_messages)
    urls.init_app(app)
    formatting.init_app(app)
    app.add_template_filter(reasons.reason_filter, "reason")
    app.add_template_filter(reasons.own_reason_filter, "own_reason")
    app.after_request(htmx.vary_on_htmx)
    errors.init_app(app)
    cli.init_app(app)
    return app


def create_app_or_exit() -> Flask:
    """`create_app` for a process's entry point: unsafe settings end it with one clear line."""
    try:
        return create_app()
    except ConfigError as error:
        sys.exit(refusal(error))
