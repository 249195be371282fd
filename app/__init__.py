"""The order desk: an app factory made of small registration steps."""

import sys

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import database, passwords
from app.config import Config, ConfigError, check_settings, refusal
from app.extensions import cache, csrf, db, login_manager, migrate, redis_client, redis_options


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__)
    configure(app, config)
    register_instrumentation(app)
    register_guards(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_templates(app)
    register_errors(app)
    register_cli(app)
    return app


def create_app_or_exit() -> Flask:
    """`create_app` for a process's entry point: unsafe settings end it with one clear line."""
    try:
        return create_app()
    except ConfigError as error:
        sys.exit(refusal(error))


def configure(app: Flask, config: type | dict | None) -> None:
    app.config.from_object(Config)
    if config is None:
        app.config.update(Config.from_env())
    elif isinstance(config, dict):
        app.config.update(config)
    else:
        app.config.from_object(config)
        app.config.update(config.from_env())
    check_settings(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", database.engine_options(app.config))
    app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["CATALOG_CACHE_SECONDS"])
    app.config.setdefault("CACHE_OPTIONS", redis_options(app.config["REDIS_SOCKET_TIMEOUT"]))


def register_instrumentation(app: Flask) -> None:
    """First, so that its hooks see every request, even one that CSRF protection refuses."""
    from app import instrument

    instrument.init_app(app)


def register_guards(app: Flask) -> None:
    """Before CSRF protection, the login limit and every view: the 414 for an address too long
    to serve (any path alike), the console's 404 for everyone but operators, then the rule on
    form bodies (which reads the body before anything parses it; app/form_body.py)."""
    from app import form_body, long_addresses
    from app.ops import hide_from_everyone_else

    long_addresses.init_app(app)
    app.before_request(hide_from_everyone_else)
    form_body.init_app(app)


def register_extensions(app: Flask) -> None:
    database.init_app(app)
    passwords.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    cache.init_app(app)
    redis_client.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.localize_callback = str  # the message in the page's language, at flash time
    login_manager.login_message_category = "info"


def register_security(app: Flask) -> None:
    from app import security
    from app.auth import limits
    from app.auth.sessions import load_session_user

    login_manager.user_loader(load_session_user)
    login_manager.id_attribute = "get_session_token"
    limits.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.auth import bp as auth_bp
    from app.catalog import bp as catalog_bp
    from app.health import bp as health_bp
    from app.metrics.routes import bp as metrics_bp
    from app.ops import PREFIX as ops_prefix
    from app.ops import bp as ops_bp
    from app.orders.pages import bp as orders_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp, url_prefix="/catalog")
    app.register_blueprint(orders_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(ops_bp, url_prefix=ops_prefix)


def register_templates(app: Flask) -> None:
    from app import flashes, formatting, htmx, i18n, reasons

    i18n.init_app(app)
    flashes.init_app(app)
    formatting.init_app(app)
    reasons.init_app(app)
    htmx.init_app(app)


def register_errors(app: Flask) -> None:
    from app import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from app import cli

    cli.init_app(app)
