"""A web process compiles its templates before its first request (gunicorn's post_worker_init)."""

from app import create_app
from app.config import TestConfig
from app.templates_ready import compile_templates


def test_every_page_template_is_compiled_and_kept_before_the_first_request():
    app = create_app(TestConfig)
    names = compile_templates(app)
    assert {"base.html", "orders/index.html", "orders/_table.html", "auth/login.html"} <= set(names)
    kept = {key[1] for key in app.jinja_env.cache}
    assert set(names) <= kept  # the first request takes them from Jinja's cache
