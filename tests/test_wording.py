"""The wording a newcomer reads: a customer's own timeline speaks to them ("by you"), the
dashboard's counts use the statuses' words and do not repeat themselves, an id not given yet is
written as words, not code, and the order form promises nothing JavaScript alone does."""

import re

import pytest

from app.orders.drafts import create_draft
from tests.support.ops import send


@pytest.fixture
def russian(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


@pytest.fixture
def cancelled(client, draft, run_jobs):
    send(client, draft.id, run_jobs)
    assert client.post(f"/orders/{draft.id}/cancel").status_code == 303
    return draft


def timeline(html: str) -> str:
    return html.split('class="timeline', 1)[1].split("</ol>", 1)[0]


def test_a_customers_own_timeline_speaks_to_them(russian, operator_client, cancelled):
    own = timeline(russian.get(f"/orders/{cancelled.id}").get_data(as_text=True))
    assert "Отправлен вами в работу" in own and "Отменён вами" in own
    assert "клиент" not in own
    operator_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    ops = timeline(operator_client.get(f"/ops/orders/{cancelled.id}").get_data(as_text=True))
    assert "Отменён клиентом" in ops and "вами" not in ops


def test_the_dashboards_counts_use_the_statuses_words(client, draft):
    stats = client.get("/").get_data(as_text=True).split('class="stats"', 1)[1].split("</dl>")[0]
    assert "In processing" in stats and "In progress" not in stats
    assert "Spent this month" in stats and "on the orders done<" in stats


def test_the_spent_note_does_not_repeat_the_month(russian, draft):
    html = russian.get("/").get_data(as_text=True)
    assert "на выполненные заказы" in html and "выполненные в этом месяце" not in html


def test_an_id_not_given_yet_is_written_as_words(client, draft):
    html = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "<dd>not registered yet</dd>" in html


def test_the_order_form_promises_no_total_as_you_go(russian, logged_in):
    html = russian.get("/orders/new").get_data(as_text=True)
    assert "сумма посчитается сразу" not in html
    assert "проверьте итог с налогом" in html


def filter_counts(html: str) -> dict[str, str]:
    nav = html.split('class="filters"', 1)[1].split("</nav>", 1)[0]
    return dict(re.findall(r'>([^<>]+?) <span class="filter-count">(\d+)</span>', nav))


def test_the_status_filters_say_how_many_orders_each_shows(client, logged_in, services):
    first, second = services[0].uuid, services[1].uuid
    drafts = [create_draft(logged_in.id, [uuid]) for uuid in (first, first, second)]
    client.post(f"/orders/{drafts[0].id}/send")
    counts = filter_counts(client.get("/").get_data(as_text=True))
    assert counts["All"] == "3" and counts["Draft"] == "2" and counts["Sending…"] == "1"
    assert counts["Done"] == "0"
    name = services[1].name
    searched = filter_counts(client.get("/", query_string={"q": name}).get_data(as_text=True))
    assert searched["All"] == "1" and searched["Draft"] == "1" and searched["Sending…"] == "0"
