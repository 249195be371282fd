"""A stand-in for the provider's catalog and order services (docs/provider-api.md).

Development and tests only, and its own Flask app: it shares no code with `app/`, so it can
never drift towards our clients' reading of the contract, and a deploy can leave it out.
"""

from flask import Flask

from sandbox.settings import SandboxSettings
from sandbox.store import SandboxStore


def create_sandbox_app(settings: SandboxSettings | None = None) -> Flask:
    from sandbox import api, control

    settings = settings or SandboxSettings.from_env()
    app = Flask(__name__)
    app.config["SANDBOX"] = settings
    app.extensions["sandbox_store"] = SandboxStore(settings)
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp, url_prefix="/_sandbox")
    return app
