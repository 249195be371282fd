"""The dashboard: newest first, paginated, filtered, and its self-refreshing table partial."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Order, OrderStatus
from app.orders.drafts import create_draft
from tests.support.auth import logged_in_client
from tests.support.orders import insert_orders

START = datetime(2026, 1, 1, tzinfo=UTC)
MONEY = {"price": Decimal("10.10"), "tax": Decimal("2.22"), "gross": Decimal("12.32")}


def a_minute_apart(n: int) -> dict:
    return {"created_at": START + timedelta(minutes=n)}


def seed_orders(user, count, status=OrderStatus.DRAFT) -> list:
    """`count` orders a minute apart, oldest first; their ids."""
    pairs = insert_orders(user.id, count, status, each=a_minute_apart, **MONEY)
    return [order_id for order_id, _ in pairs]


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr id="order-[^"]+" data-order-id="([^"]+)"', html)


def test_empty_state_invites_the_first_order(client, logged_in):
    html = client.get("/").get_data(as_text=True)
    assert "No orders yet" in html and "Create your first order" in html


def test_rows_newest_first_with_data_attributes_and_money(client, logged_in):
    ids = seed_orders(logged_in, 3)
    html = client.get("/").get_data(as_text=True)
    assert row_ids(html) == [str(i) for i in reversed(ids)]
    assert html.count('data-status="draft"') == 3
    assert "12.32\u00a0₽" in html and "2.22\u00a0₽" in html
    assert html.count(">Send<") == 3 and ">Edit<" in html and ">Delete<" in html


def test_twenty_per_page_with_pages(client, logged_in):
    ids = [str(i) for i in reversed(seed_orders(logged_in, 45))]
    first = client.get("/").get_data(as_text=True)
    third = client.get("/?page=3").get_data(as_text=True)
    assert row_ids(first) == ids[:20]
    assert row_ids(third) == ids[40:]
    assert "Page 3 of 3" in third
    assert row_ids(client.get("/?page=999").get_data(as_text=True)) == ids[40:]
    assert row_ids(client.get("/?page=abc").get_data(as_text=True)) == ids[:20]


def test_status_filter(client, logged_in):
    seed_orders(logged_in, 2)
    done = seed_orders(logged_in, 3, OrderStatus.DONE)
    html = client.get("/?status=done").get_data(as_text=True)
    assert sorted(row_ids(html)) == sorted(str(i) for i in done)
    assert ">Send<" not in html
    empty = client.get("/?status=failed").get_data(as_text=True)
    assert row_ids(empty) == [] and "No orders with the status" in empty


def test_only_my_orders(client, logged_in, factory):
    seed_orders(factory.user(), 5)
    mine = seed_orders(logged_in, 1)
    assert row_ids(client.get("/").get_data(as_text=True)) == [str(mine[0])]


def test_table_partial_refreshes_itself_keeping_page_and_filter(client, logged_in, app):
    seed_orders(logged_in, 30, OrderStatus.IN_PROCESSING)
    headers = {"HX-Request": "true", "HX-Target": "orders-table"}
    response = client.get("/?page=2&status=in_processing", headers=headers)
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<div id="orders-table"')
    assert 'hx-trigger="every 30s' in html
    assert 'hx-get="/?page=2&amp;status=in_processing"' in html
    assert len(row_ids(html)) == 10
    assert "HX-Request" in response.headers["Vary"]
    full = client.get("/?page=2&status=in_processing").get_data(as_text=True)
    assert "<html" in full and row_ids(full) == row_ids(html)
    assert client.get("/orders/table").status_code == 404  # the dashboard URL serves both


def test_refresh_interval_comes_from_config(make_app, user):
    client = logged_in_client(make_app(ORDERS_REFRESH_SECONDS=2))
    seed_orders(user, 1)
    assert 'hx-trigger="every 2s' in client.get("/").get_data(as_text=True)


def test_boosted_navigation_gets_the_full_page(client, logged_in):
    headers = {"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "orders-table"}
    assert "<html" in client.get("/", headers=headers).get_data(as_text=True)


def test_order_page_shows_items_totals_and_timeline(client, draft, services):
    html = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert services[0].name in html and services[1].name in html
    assert f"{draft.gross:.2f}" in html.replace("\u202f", "")
    assert "not registered yet" in html and "timeline" in html
    assert f'data-order-id="{draft.id}" data-status="draft"' in html


def test_filter_pills_are_part_of_the_swapped_table(client, logged_in):
    headers = {"HX-Request": "true", "HX-Target": "orders-table"}
    html = client.get("/?status=done", headers=headers).get_data(as_text=True)
    current = re.findall(r'<a href="([^"]*)"[^>]*aria-current="true"', html, re.S)
    assert current == ["/?status=done"]


def services_named(services, *names):
    by_name = {s.name: s.uuid for s in services}
    return [by_name[name] for name in names]


@pytest.fixture
def three_orders(logged_in, services):
    """A draft of three services, a done order and one in processing, oldest first."""
    logo = create_draft(
        logged_in.id,
        services_named(services, "Logo design — Basic", "SEO audit — Basic", "Logo design — Pro"),
    )
    seo = create_draft(logged_in.id, services_named(services, "SEO audit — Standard"))
    news = create_draft(logged_in.id, services_named(services, "Newsletter setup — Basic"))
    db.session.execute(update(Order).where(Order.id == seo.id).values(status=OrderStatus.DONE))
    db.session.execute(
        update(Order).where(Order.id == news.id).values(status=OrderStatus.IN_PROCESSING)
    )
    db.session.commit()
    return logo, seo, news


def test_each_row_says_what_the_order_holds(client, three_orders):
    logo, seo, _ = three_orders
    html = client.get("/").get_data(as_text=True)
    assert "Logo design — Basic + 2 more" in html
    assert "SEO audit — Standard</span>" in html and "SEO audit — Standard +" not in html
    assert f"#{logo.short_id}" in html


@pytest.mark.parametrize(
    "search,expected",
    [("seo", [1, 0]), ("LOGO design", [0]), ("newsletter", [2]), ("nothing", []), ("%", [])],
)
def test_search_by_service_name(client, three_orders, search, expected):
    html = client.get("/", query_string={"q": search}).get_data(as_text=True)
    assert row_ids(html) == [str(three_orders[i].id) for i in expected]


def test_search_by_order_number_with_or_without_the_hash(client, three_orders):
    news = three_orders[2]
    for search in (f"#{news.short_id}", news.short_id[:5], str(news.id).upper()):
        html = client.get("/", query_string={"q": search}).get_data(as_text=True)
        assert row_ids(html) == [str(news.id)], search


def test_search_goes_with_the_status_filter_and_the_pages(client, make_app, three_orders):
    html = client.get("/?q=seo&status=done").get_data(as_text=True)
    assert row_ids(html) == [str(three_orders[1].id)]
    assert 'href="/?status=draft&amp;q=seo"' in html  # the filter keeps the search
    assert '<input type="hidden" name="status" value="done" form="orders-search">' in html
    empty = client.get("/?q=seo&status=cancelled").get_data(as_text=True)
    assert "No orders with the status “Cancelled” match “seo”." in empty
    one_a_page = logged_in_client(make_app(ORDERS_PER_PAGE=1))
    first = one_a_page.get("/?q=seo").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'href="/?page=2&amp;q=seo"' in first


def test_the_stats_count_this_months_orders(client, three_orders, logged_in):
    _, seo, _ = three_orders
    last_month = datetime.now(UTC) - timedelta(days=40)
    old = seed_orders(logged_in, 1, OrderStatus.DONE)[0]
    db.session.execute(update(Order).where(Order.id == old).values(updated_at=last_month))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-stat="in-progress">1<', html)
    assert re.search(r'data-stat="done">1<', html)
    spent = re.search(r'data-stat="spent">([^<]*)<', html).group(1)
    assert spent == f"{seo.gross:.2f}\u00a0₽"


def test_the_failed_filter_says_what_failed_means(client, logged_in):
    html = client.get("/?status=failed").get_data(as_text=True)
    assert "Failed means the provider accepted the order" in html
    assert "goes back to Draft with the reason" in html


def test_control_characters_in_a_search_count_as_spaces(client, three_orders):
    html = client.get("/", query_string={"q": "seo\x00audit\x1f"}).get_data(as_text=True)
    assert 'value="seo audit"' in html and len(row_ids(html)) == 2
    empty = client.get("/", query_string={"q": "\x00zz\x7f"}).get_data(as_text=True)
    assert "No orders match “zz”." in empty
