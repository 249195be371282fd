"""The templates' `url_for`: fixed addresses (a page without arguments, a static file) are built
once per process and script root, and are exactly what Flask builds; any other is built anew."""

import uuid

from flask import url_for

from app.urls import template_url_for


def flask_addresses(app, script_root: str) -> dict:
    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        return {
            "css": url_for("static", filename="app.css"),
            "language": url_for("i18n.switch_language"),
        }


def test_a_page_shows_the_addresses_flask_builds_under_each_script_root(app, client):
    for script_root in ("/desk", "", "/other"):
        page = client.get("/login", base_url=f"http://localhost{script_root}").text
        addresses = flask_addresses(app, script_root)
        assert addresses["css"].startswith(f"{script_root}/static/app.css?v=")
        assert f'href="{addresses["css"]}"' in page
        assert f'action="{addresses["language"]}"' in page


def test_fixed_addresses_are_kept_and_others_are_built_each_time(app):
    kept = app.extensions["kept_urls"]
    kept.clear()
    with app.test_request_context("/"):
        first, second = uuid.uuid4(), uuid.uuid4()
        shown = [template_url_for("orders.show", order_id=order) for order in (first, second)]
        assert shown == [url_for("orders.show", order_id=order) for order in (first, second)]
        assert template_url_for("orders.dashboard", page=2) == url_for("orders.dashboard", page=2)
        assert kept == {}
        assert template_url_for("orders.dashboard") == url_for("orders.dashboard")
        assert template_url_for("static", filename="app.js") == url_for("static", filename="app.js")
        assert set(kept) == {("orders.dashboard", None, ""), ("static", "app.js", "")}
