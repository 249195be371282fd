"""`GET /catalog`: cards, search with and without htmx, stale and unavailable states."""

import re

import pytest

from app.catalog.service import wait_for_background_refresh
from app.catalog.store import FRESH_KEY
from app.extensions import cache
from sandbox.catalog import build_catalog
from tests.support.auth import session_client

RESULTS = {"HX-Request": "true", "HX-Target": "catalog-results"}
HOSTILE = {
    "uuid": "0b7c6a3e-6f2e-4c1e-9a63-2f1d1c9b7a10",
    "name": "<script>alert('name')</script>",
    "description": '<img src=x onerror="alert(1)">',
    "image": "javascript:alert(1)",
    "price": "1",
    "tax": "0.22",
    "gross": "1.22",
}


def page(client, url="/catalog", **headers):
    response = client.get(url, headers=headers)
    return response, response.get_data(as_text=True)


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card service-card">.*?</li>', html, flags=re.S)


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/catalog?q=seo")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_every_service_is_a_card_with_exact_money(client, logged_in, sandbox):
    response, html = page(client)
    assert response.status_code == 200
    assert len(cards(html)) == 45
    assert "<html" in html and 'id="catalog-results"' in html
    assert "49.90\u00a0₽" in html and "10.98\u00a0₽" in html and "60.88\u00a0₽" in html
    assert "120.00\u00a0₽" in html  # the sandbox sends this price as the int 120
    assert sandbox.stats()["catalog"] == 3


def test_cards_show_images_placeholders_and_missing_descriptions(client, logged_in):
    services = build_catalog(45)
    described = [s for s in services if s.index % 10 != 9]
    _, html = page(client)
    with_image = sum(1 for s in described if s.icon)
    assert html.count('loading="lazy"') == with_image
    assert html.count('aria-label="No image"') == 45 - with_image
    assert html.count("No description") == 45 - sum(1 for s in described if s.description)
    assert re.search(r'<img class="service-image" src="http://[^"]+/img/seo\.svg" alt="', html)


def test_each_card_links_to_ordering_its_service(client, logged_in):
    _, html = page(client)
    links = re.findall(r'href="/orders/add\?service=([0-9a-f-]{36})"', html)
    assert links == [s.uuid for s in build_catalog(45)]


def test_a_second_load_makes_no_provider_request(client, logged_in, sandbox):
    page(client)
    response, _ = page(client)
    assert response.status_code == 200
    assert sandbox.stats()["catalog"] == 3


def test_the_page_varies_on_the_htmx_headers(client, logged_in):
    response, _ = page(client)
    assert {"HX-Request", "HX-Target"} <= set(response.vary)


def test_search_box_is_a_plain_form_enhanced_by_htmx(client, logged_in):
    _, html = page(client)
    form = re.search(
        r'<form class="catalog-search" method="get" action="/catalog".*?</form>', html, re.S
    )
    assert form and '<label for="catalog-q">' in form.group()
    field = re.search(r"<input[^>]*name=\"q\"[^>]*>", form.group(), re.S).group()
    assert 'type="search"' in field and 'id="catalog-q"' in field
    assert 'hx-get="/catalog"' in field and 'hx-target="#catalog-results"' in field
    assert 'hx-trigger="input changed delay:300ms, search"' in field
    assert 'hx-push-url="true"' in field and 'hx-indicator="#catalog-busy"' in field


def test_no_js_search_returns_the_whole_page_filtered(client, logged_in):
    response, html = page(client, "/catalog?q=seo")
    assert response.status_code == 200 and "<html" in html
    assert len(cards(html)) == 3 and all("SEO audit" in card for card in cards(html))
    assert 'name="q" value="seo"' in html


def test_htmx_search_returns_only_the_results(client, logged_in):
    response, html = page(client, "/catalog?q=Logo+PRO", **RESULTS)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="catalog-results"')
    assert "<html" not in html and "<form" not in html
    assert [c for c in cards(html) if "Logo design — Pro" in c] == cards(html) and len(
        cards(html)
    ) == 1


def test_search_matches_descriptions_ignoring_case(client, logged_in):
    expected = [
        s for s in build_catalog(45) if s.index % 10 != 9 and "10 days" in (s.description or "")
    ]
    _, html = page(client, "/catalog?q=10+DAYS", **RESULTS)
    assert len(cards(html)) == len(expected) > 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true"},
        {"HX-Request": "true", "HX-Target": "main"},
        {**RESULTS, "HX-Boosted": "true"},
        {**RESULTS, "HX-History-Restore-Request": "true"},
    ],
)
def test_other_htmx_requests_get_the_whole_page(client, logged_in, headers):
    _, html = page(client, "/catalog?q=seo", **headers)
    assert "<html" in html and len(cards(html)) == 3


def test_no_match_shows_the_empty_state(client, logged_in):
    _, html = page(client, "/catalog?q=<b>nothing</b>", **RESULTS)
    assert "No services match “&lt;b&gt;nothing&lt;/b&gt;”" in html
    assert "<b>nothing" not in html and cards(html) == []


def test_provider_strings_are_escaped_and_bad_images_replaced(client, logged_in, sandbox):
    sandbox.serve_catalog_page([HOSTILE])
    response, html = page(client)
    assert response.status_code == 200 and len(cards(html)) == 1
    assert (
        "<script>alert" not in html and "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in html
    )
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "javascript:" not in html and 'aria-label="No image"' in html


def test_stale_copy_is_shown_with_a_notice(app, client, logged_in, sandbox):
    page(client)
    cache.delete(FRESH_KEY)
    sandbox.add_faults("catalog", {"status": 500})
    response, html = page(client)  # the copy as it was, while it is fetched again
    assert response.status_code == 200 and len(cards(html)) == 45
    assert "the provider is not" not in html
    wait_for_background_refresh(app)
    response, html = page(client)
    assert response.status_code == 200 and len(cards(html)) == 45
    assert "Showing the catalog as of <time" in html and "the provider is not" in html
    _, partial = page(client, "/catalog?q=seo", **RESULTS)
    assert "the provider is not" in partial and len(cards(partial)) == 3


def test_a_stopped_provider_after_one_load_leaves_the_page_working(make_app, client, logged_in):
    page(client)
    stopped = make_app(CATALOG_SERVICES_BASE_URL="http://127.0.0.1:1")
    cache.delete(FRESH_KEY)
    other = stopped.test_client()
    other.post("/login", data={"email": "test@gmail.com", "password": "qwe123"})
    page(other)
    wait_for_background_refresh(stopped)
    response, html = page(other)
    assert response.status_code == 200 and len(cards(html)) == 45
    assert "the provider is not" in html


def test_no_copy_and_provider_down_is_a_friendly_503(client, logged_in, sandbox):
    sandbox.add_faults("catalog", {"status": 500})
    response, html = page(client)
    assert response.status_code == 503
    assert "catalog is unavailable right now" in html and "<html" in html
    assert response.headers["Retry-After"] == "60"


def test_no_copy_and_provider_down_for_htmx_is_a_flash_message(client, logged_in, sandbox):
    sandbox.add_faults("catalog", {"status": 500})
    response, html = page(client, "/catalog?q=seo", **RESULTS)
    assert response.status_code == 503 and response.headers["HX-Retarget"] == "#flash"
    assert "catalog is unavailable right now" in html and "<html" not in html


def test_redis_down_still_renders_the_catalog(make_app, logged_in, sandbox):
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response, html = page(session_client(down, logged_in))
    assert response.status_code == 200 and len(cards(html)) == 45
    assert "the provider is not" not in html
