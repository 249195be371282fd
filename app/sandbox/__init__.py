"""A stand-in for the provider's catalog and order services (docs/provider-api.md)."""

from flask import Flask

from app.sandbox.settings import SandboxSettings
from app.sandbox.store import SandboxStore


def create_sandbox_app(settings: SandboxSettings | None = None) -> Flask:
    from app.sandbox import api, control

    settings = settings or SandboxSettings.from_env()
    app = Flask(__name__)
    app.config["SANDBOX"] = settings
    app.extensions["sandbox_store"] = SandboxStore(settings)
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp, url_prefix="/_sandbox")
    return app
