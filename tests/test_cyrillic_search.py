"""The provider's own texts in Russian: shown as sent, and found by searches in any case."""

import re

import pytest

from app.catalog.service import get_catalog
from app.orders.drafts import create_draft

RESULTS = {"HX-Request": "true", "HX-Target": "catalog-results"}
RUSSIAN_SERVICES = [
    {
        "uuid": "6f1c2b1e-1a2b-4c3d-8e9f-000000000001",
        "name": "Дизайн логотипа — Базовый",
        "description": "Фирменный СТИЛЬ за 10 дней",
        "image": None,
        "price": "1000",
        "tax": "220",
        "gross": "1220",
    },
    {
        "uuid": "6f1c2b1e-1a2b-4c3d-8e9f-000000000002",
        "name": "Ёмкий SEO-аудит",
        "description": "Проверка сайта",
        "image": None,
        "price": "500",
        "tax": "110",
        "gross": "610",
    },
]


@pytest.fixture
def russian_catalog(app, sandbox):
    sandbox.serve_catalog_page(RUSSIAN_SERVICES)
    return list(get_catalog().services)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("дизайн", ["Дизайн логотипа — Базовый"]),
        ("ЛОГОТИПА", ["Дизайн логотипа — Базовый"]),
        ("стиль", ["Дизайн логотипа — Базовый"]),
        ("ёмкий", ["Ёмкий SEO-аудит"]),
        ("сайта ЁМКИЙ", ["Ёмкий SEO-аудит"]),
        ("котик", []),
    ],
)
def test_the_catalog_search_finds_cyrillic_in_any_case(
    client, logged_in, russian_catalog, query, found
):
    html = client.get("/catalog", query_string={"q": query}, headers=RESULTS).get_data(as_text=True)
    assert [name for name in RUSSIAN_SERVICES if name["name"] in html] == [
        s for s in RUSSIAN_SERVICES if s["name"] in found
    ]


def test_the_provider_texts_are_shown_as_sent(client, logged_in, russian_catalog):
    html = client.get("/catalog", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Дизайн логотипа — Базовый" in html and "Фирменный СТИЛЬ за 10 дней" in html


@pytest.mark.parametrize("query", ["дизайн", "ДИЗАЙН ЛОГОТИПА", "ёмкий", "ЁМКИЙ seo"])
def test_the_order_search_finds_cyrillic_service_names_in_any_case(
    client, logged_in, russian_catalog, query
):
    design = create_draft(logged_in.id, [russian_catalog[0].uuid])
    audit = create_draft(logged_in.id, [russian_catalog[1].uuid])
    html = client.get("/", query_string={"q": query}).get_data(as_text=True)
    rows = re.findall(r'<tr id="order-([^"]+)"', html)
    expected = design if "дизайн" in query.lower() else audit
    assert rows == [str(expected.id)]
