"""Every customer page and partial in Russian: no English left on it (apart from the provider's
own texts), money written the Russian way, and counts in the right plural form."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import update

from app.errors import error_response
from app.extensions import db
from app.formatting import duration, send_badge, timestamp
from app.models import Order, OrderStatus
from app.orders.drafts import create_draft
from tests.support.language import english_words

RU = {"Accept-Language": "ru"}
HTMX = {"HX-Request": "true"}
NBSP = "\u00a0"
SEARCHED = ("zzz", "logo")  # words the customer searched for, which the page repeats

# Every status an order can be in, and the flags that change what its page says.
SHOWN_STATES = [
    {"status": OrderStatus.DRAFT},
    {"status": OrderStatus.SENDING},
    {"status": OrderStatus.SENDING, "send_unknown_since": datetime(2026, 1, 1, tzinfo=UTC)},
    {"status": OrderStatus.SENDING, "needs_attention_since": datetime(2026, 1, 1, tzinfo=UTC)},
    {"status": OrderStatus.IN_PROCESSING},
    {"status": OrderStatus.DONE},
    {"status": OrderStatus.CANCELLED},
    {"status": OrderStatus.CANCELLED, "follow_provider": True},
    {"status": OrderStatus.FAILED},
]


@pytest.fixture
def ru_client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


@pytest.fixture
def customer(ru_client, auth, user):
    assert auth.login().status_code == 302
    return user


@pytest.fixture
def provider_texts(services):
    return [text for s in services for text in (s.name, s.description) if text]


def order_in(user, services, count=1, **state) -> Order:
    """An order of `count` services, put straight into `state` (a status and its flags)."""
    order = create_draft(user.id, [service.uuid for service in services[:count]])
    if state.get("status", OrderStatus.DRAFT) != OrderStatus.DRAFT:
        state.setdefault("last_checked_at", datetime(2026, 1, 2, tzinfo=UTC))
        db.session.execute(update(Order).where(Order.id == order.id).values(**state))
        db.session.commit()
    return order


def russian(response, provider_texts=(), status=200, allowed=SEARCHED) -> str:
    """The page's HTML, checked: its status, and no English but the provider's texts (and the
    search words the page repeats)."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:500]
    assert english_words(html, provider_texts=provider_texts, allowed=allowed) == []
    return html


def test_login_page_and_its_errors(ru_client, user):
    assert "Вход" in russian(ru_client.get("/login"))
    html = russian(ru_client.post("/login", data={"email": "", "password": ""}), status=422)
    assert "Введите адрес эл. почты." in html
    wrong = {"email": user.email, "password": "not-it"}
    refused = russian(ru_client.post("/login", data=wrong), status=401)
    assert "Неверная эл. почта или пароль." in refused


def test_asked_to_log_in_and_logged_out_in_russian(ru_client, customer):
    ru_client.post("/logout")
    assert "Вы вышли из аккаунта." in russian(ru_client.get("/login"))
    ru_client.get("/")
    assert "Чтобы продолжить, войдите." in russian(ru_client.get("/login"))


def test_empty_dashboard(ru_client, customer):
    assert "Заказов пока нет" in russian(ru_client.get("/"))


def test_dashboard_with_orders_in_every_status(ru_client, customer, services, provider_texts):
    for state in SHOWN_STATES:
        order_in(customer, services, count=3, **state)
    html = russian(ru_client.get("/"), provider_texts)
    for label in ("Черновик", "Отправляется…", "В работе", "Выполнен", "Отменён", "Не выполнен"):
        assert label in html
    assert "Не подтверждён" in html and "Требует внимания" in html
    assert f"и ещё{NBSP}2" in html or "и ещё 2" in html
    table = ru_client.get("/", headers={**HTMX, "HX-Target": "orders-table"})
    assert russian(table, provider_texts).lstrip().startswith('<div id="orders-table"')


@pytest.mark.parametrize("status", ["", *OrderStatus.LABELS])
def test_dashboard_filters_and_searches(ru_client, customer, services, provider_texts, status):
    order_in(customer, services, count=1, status=OrderStatus.DONE)
    russian(ru_client.get("/", query_string={"status": status}), provider_texts)
    html = russian(ru_client.get("/", query_string={"status": status, "q": "zzz"}))
    assert "«zzz»" in html


def test_catalog_and_its_results(ru_client, customer, provider_texts):
    html = russian(ru_client.get("/catalog"), provider_texts)
    assert "45 услуг." in html
    found = ru_client.get("/catalog?q=logo", headers={**HTMX, "HX-Target": "catalog-results"})
    assert "подходят 3 услуги из 45" in russian(found, provider_texts)
    assert "Нет услуг по запросу «zzz»." in russian(ru_client.get("/catalog?q=zzz"))


def test_new_order_form_its_error_and_totals(ru_client, customer, services, provider_texts):
    assert "Новый заказ" in russian(ru_client.get("/orders/new"), provider_texts)
    refused = ru_client.post("/orders/new", data={"services": []})
    assert "Выберите хотя бы одну услугу." in russian(refused, provider_texts, status=422)
    counted = ((1, "Выбрана 1 услуга."), (2, "Выбраны 2 услуги."), (5, "Выбрано 5 услуг."))
    for count, words in counted:
        chosen = [service.uuid for service in services[:count]]
        totals = ru_client.get("/orders/totals", query_string={"services": chosen}, headers=HTMX)
        assert words in russian(totals, provider_texts)


def test_edit_form_and_add_to_a_draft(ru_client, customer, services, provider_texts):
    draft = order_in(customer, services, count=2)
    assert "Изменить черновик" in russian(ru_client.get(f"/orders/{draft.id}/edit"), provider_texts)
    added = ru_client.get("/orders/add", query_string={"service": services[3].uuid})
    assert "Куда добавить" in russian(added, provider_texts)


@pytest.mark.parametrize("state", SHOWN_STATES, ids=lambda s: "-".join(map(str, s.values())))
def test_order_page_and_its_summary(ru_client, customer, services, provider_texts, state):
    order = order_in(customer, services, count=2, **state)
    russian(ru_client.get(f"/orders/{order.id}"), provider_texts)
    summary = ru_client.get(f"/orders/{order.id}", headers={**HTMX, "HX-Target": "order-summary"})
    russian(summary, provider_texts)


def test_plurals_and_money_on_real_pages(ru_client, customer, services):
    for count, words in ((1, "1 услуга"), (2, "2 услуги"), (5, "5 услуг")):
        draft = order_in(customer, services, count=count)
        html = ru_client.get(f"/orders/{draft.id}/delete").get_data(as_text=True)
        assert f"{words}, " in html
    money = ru_client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert f"{NBSP}₽" in money
    gross = f"{draft.gross:,.2f}".replace(",", NBSP).replace(".", ",")
    assert gross in money


def test_confirm_pages(ru_client, customer, services, provider_texts):
    draft = order_in(customer, services, count=1)
    working = order_in(customer, services, count=1, status=OrderStatus.IN_PROCESSING)
    deleting = ru_client.get(f"/orders/{draft.id}/delete")
    assert "Удалить черновик" in russian(deleting, provider_texts)
    cancelling = ru_client.get(f"/orders/{working.id}/cancel")
    assert "Отменить заказ" in russian(cancelling, provider_texts)


def test_account_page_and_a_refused_password(ru_client, customer):
    html = russian(ru_client.get("/account"))
    assert "1 активный сеанс, включая этот." in html and "Язык" in html
    refused = ru_client.post("/account/password", data={"current_password": "x"})
    assert "Введите новый пароль." in russian(refused, status=422)


def test_error_pages(ru_client, customer):
    assert "Не найдено" in russian(ru_client.get("/no-such-page"), status=404)
    assert "Действие недоступно" in russian(ru_client.get("/logout"), status=405)


@pytest.mark.parametrize("code", [404, 405, 409, 422, 429, 500, 503])
def test_error_pages_and_htmx_fragments_for_every_code(app, code):
    with app.test_request_context("/", headers=RU):
        page, status = error_response(code)
        assert status == code and english_words(page) == []
    with app.test_request_context("/", headers={**RU, **HTMX}):
        fragment, _status, _headers = error_response(code)
        assert english_words(fragment) == []


def test_catalog_unavailable_page(ru_client, customer, sandbox, app):
    sandbox.set_knobs(error_rate=1.0)
    try:
        html = russian(ru_client.get("/orders/new"), status=503)
    finally:
        sandbox.set_knobs(error_rate=0.0)
    assert "Каталог поставщика сейчас недоступен" in html


def test_htmx_refusal_of_an_action(ru_client, customer, services):
    done = order_in(customer, services, count=1, status=OrderStatus.DONE)
    refused = ru_client.post(f"/orders/{done.id}/send", headers=HTMX)
    assert "уже не черновик" in russian(refused, status=409)


@pytest.mark.parametrize(
    ("seconds", "russian_text", "english_text"),
    [
        (4.25, "4,2 с", "4.2 s"),
        (185, "3 мин 5 с", "3 min 5 s"),
        (7800, "2 ч 10 мин", "2 h 10 min"),
        (3 * 86400 + 4 * 3600, "3 д 4 ч", "3 d 4 h"),
    ],
)
def test_durations_in_both_languages(app, seconds, russian_text, english_text):
    with app.test_request_context("/"):
        with force_locale("ru"):
            assert duration(seconds) == russian_text
        with force_locale("en"):
            assert duration(seconds) == english_text


def test_never_and_the_send_badges_in_russian(app):
    with app.test_request_context("/", headers=RU):
        assert "никогда" in timestamp(None)
        assert "Требует внимания" in send_badge(SimpleNamespace(needs_attention=True))
        unconfirmed = SimpleNamespace(needs_attention=False, outcome_unknown=True)
        assert "Не подтверждён" in send_badge(unconfirmed)
