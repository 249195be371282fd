"""Reasons are stored as codes with parameters and shown in the reader's language: every code
reads in English (today's wording) and in Russian, an order's story written while one language
was spoken reads in the other, and rows from before the codes are shown as they were written."""

import re

import pytest
from flask_babel import force_locale

from app import reasons
from app.extensions import db
from app.models import OrderEvent, OrderStatus
from app.orders.transitions import commit_transition
from app.reasons import MESSAGES, Reason
from tests.support.ops import send
from tests.support.orders import reload

HTTP_500 = Reason(reasons.HTTP_STATUS, status=500)
# One reason per code, with what it reads in English.
SAMPLES = {
    reasons.CREATED: (Reason(reasons.CREATED), "Created"),
    reasons.SENT_BY_CUSTOMER: (
        Reason(reasons.SENT_BY_CUSTOMER),
        "Sent to processing by the customer",
    ),
    reasons.CANCELLED_BY_CUSTOMER: (
        Reason(reasons.CANCELLED_BY_CUSTOMER),
        "Cancelled by the customer",
    ),
    reasons.REGISTERED: (Reason(reasons.REGISTERED), "Registered at the order service"),
    reasons.PROVIDER_REPORTS: (
        Reason(reasons.PROVIDER_REPORTS, state="Completed"),  # not one of the usual words
        "The order service reports the order Completed.",
    ),
    reasons.DONE_AFTER_CANCEL: (
        Reason(reasons.DONE_AFTER_CANCEL),
        "The provider finished this order after it was cancelled here.",
    ),
    reasons.CANCELLED_AFTER_CANCEL: (
        Reason(reasons.CANCELLED_AFTER_CANCEL),
        "The provider reports this order cancelled as well.",
    ),
    reasons.FAILED_AFTER_CANCEL: (
        Reason(reasons.FAILED_AFTER_CANCEL),
        "The provider reports this order failed after it was cancelled here.",
    ),
    reasons.NOT_REACHED: (
        Reason(reasons.NOT_REACHED, attempts=6, error=HTTP_500),
        "The order service could not be reached after 6 tries: The order service answered "
        "HTTP 500. Nothing was registered.",
    ),
    reasons.NOT_TAKEN: (
        Reason(reasons.NOT_TAKEN, attempts=3, error=HTTP_500),
        "The order service could not take the order after 3 tries: The order service "
        "answered HTTP 500.",
    ),
    reasons.REJECTED: (
        Reason(reasons.REJECTED, error="price: must be positive"),
        "The order service rejected the order: price: must be positive",
    ),
    reasons.REPEAT_REFUSED: (
        Reason(reasons.REPEAT_REFUSED, error="Idempotency-Key reused"),
        "The order service refused a repeated request: Idempotency-Key reused",
    ),
    reasons.UNCONFIRMED_RETRYING: (
        Reason(reasons.UNCONFIRMED_RETRYING, delay_seconds=300.0, error=HTTP_500),
        "The provider has not confirmed this order yet; we keep asking with the same request "
        "(next try in 5 min). Last answer: The order service answered HTTP 500.",
    ),
    reasons.RETRYING: (
        Reason(reasons.RETRYING, delay_seconds=30.0, error=Reason(reasons.TIMEOUT)),
        "Not registered yet. Retrying in 30 s: The order service did not answer in time.",
    ),
    reasons.CONFIRMED_REGISTERED: (
        Reason(reasons.CONFIRMED_REGISTERED, external_uuid="5f0c"),
        "Confirmed with the provider by an operator: registered as 5f0c",
    ),
    reasons.CONFIRMED_NOT_REGISTERED: (
        Reason(reasons.CONFIRMED_NOT_REGISTERED),
        "The provider confirmed to an operator that it has no such order; send it again.",
    ),
    reasons.FOUND_AT_PROVIDER: (
        Reason(reasons.FOUND_AT_PROVIDER),
        "Registered at the order service (confirmed by our staff)",
    ),
    reasons.NOT_AT_PROVIDER: (
        Reason(reasons.NOT_AT_PROVIDER),
        "The order service did not register this order. You can send it again.",
    ),
    reasons.REGISTERED_LATE: (
        Reason(reasons.REGISTERED_LATE, external_uuid="5f0c"),
        "The order service registered this order as 5f0c after it had been settled here; our "
        "team is checking it.",
    ),
    reasons.SEND_RETRIED: (Reason(reasons.SEND_RETRIED), "Send retried now by an operator"),
    reasons.RECHECKED: (
        Reason(
            reasons.RECHECKED,
            answer=Reason(reasons.TIMED, answer=Reason(reasons.ANSWERED, state="queued"), ms="12"),
        ),
        "Status re-checked by an operator: the order service answered “queued” (12 ms)",
    ),
    reasons.SEND_RESOLVED: (
        Reason(reasons.SEND_RESOLVED, note="Confirmed by phone"),
        "Send resolved by an operator: Confirmed by phone",
    ),
    reasons.ACKNOWLEDGED_AFTER_CANCEL: (
        Reason(reasons.ACKNOWLEDGED_AFTER_CANCEL, note="Refunded"),
        "Finished after the cancel: acknowledged by an operator: Refunded",
    ),
    reasons.ANSWERED: (
        Reason(reasons.ANSWERED, state="processing"),
        "the order service answered “processing”",
    ),
    reasons.TIMED: (
        Reason(reasons.TIMED, answer=Reason(reasons.TIMEOUT), ms="3001"),
        "The order service did not answer in time. (3001 ms)",
    ),
    reasons.UNREACHABLE: (
        Reason(reasons.UNREACHABLE, detail="Connection refused"),
        "Cannot reach the order service: Connection refused",
    ),
    reasons.TIMEOUT: (Reason(reasons.TIMEOUT), "The order service did not answer in time."),
    reasons.REQUEST_FAILED: (
        Reason(reasons.REQUEST_FAILED, detail="Invalid URL"),
        "Request to the order service failed: Invalid URL",
    ),
    reasons.HTTP_STATUS: (HTTP_500, "The order service answered HTTP 500."),
    reasons.MISSING_FIELD: (
        Reason(reasons.MISSING_FIELD, field="uuid"),
        "The order service answered without a uuid.",
    ),
    reasons.INVALID_UUID: (
        Reason(reasons.INVALID_UUID),
        "The order service answered with an invalid uuid.",
    ),
    reasons.UNKNOWN_ORDER: (
        Reason(reasons.UNKNOWN_ORDER, external_uuid="5f0c"),
        "The order service does not know order 5f0c.",
    ),
    reasons.REFUSED_HTTP: (
        Reason(reasons.REFUSED_HTTP, status=422),
        "The order service refused the order (HTTP 422).",
    ),
    reasons.NO_EXTERNAL_UUID: (Reason(reasons.NO_EXTERNAL_UUID), "The order has no external uuid."),
}
TECHNICAL_WORDS = {"HTTP"}


def given_values(reason: Reason) -> list[str]:
    """The texts a reason shows as given, nested reasons' too."""
    found = []
    for value in reason.args.values():
        if isinstance(value, Reason):
            found += given_values(value)
        elif isinstance(value, str):
            found.append(value)
    return found


@pytest.mark.parametrize(
    ("state", "russian"),
    [("done", "выполнен"), ("cancelled", "отменён"), ("failed", "не выполнен")],
)
def test_the_usual_final_states_read_in_the_readers_language(app, state, russian):
    reason = Reason(reasons.PROVIDER_REPORTS, state=state)
    assert reason.english() == f"The order service reports the order {state}."
    with force_locale("ru"):
        shown = reasons.render(reason.as_json())
    assert shown == f"Сервис заказов сообщает статус заказа: «{russian}»."


def test_every_code_has_a_sample():
    assert set(SAMPLES) == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_code_reads_as_before_in_english_and_in_russian(app, code):
    reason, english = SAMPLES[code]
    assert reason.english() == english
    with force_locale("en"):
        assert reasons.render(reason.as_json()) == english
    with force_locale("ru"):
        russian = reasons.render(reason.as_json())
    assert russian and russian != english and "%(" not in russian
    ours = russian
    for value in given_values(reason):
        assert value in russian  # parameters are shown as given
        ours = ours.replace(value, " ")
    left = set(re.findall(r"[A-Za-z]{2,}", ours)) - TECHNICAL_WORDS
    assert not left, f"{code}: English left in {russian!r}"


def test_a_usual_answer_of_the_provider_is_translated(app):
    answer = Reason(reasons.ANSWERED, state="done").as_json()
    with force_locale("ru"):
        assert reasons.render(answer) == "сервис заказов ответил «выполнен»"
    with force_locale("en"):
        assert reasons.render(answer) == "the order service answered “done”"


def test_the_plural_forms_follow_the_count(app):
    with force_locale("ru"):
        texts = {
            n: reasons.render(Reason(reasons.NOT_REACHED, attempts=n, error="x").as_json())
            for n in (1, 2, 5)
        }
    assert "1 попытки" in texts[1] and "2 попыток" in texts[2] and "5 попыток" in texts[5]
    one = Reason(reasons.NOT_REACHED, attempts=1, error="x").english()
    assert one.startswith("The order service could not be reached after 1 try:")


def test_a_parameter_is_shown_as_given_even_if_it_looks_like_markup(client, app):
    with force_locale("ru"):
        text = reasons.reason_filter(Reason(reasons.REJECTED, error="<b>%(x)s</b>").as_json())
    assert text.endswith("<b>%(x)s</b>")


def test_rows_without_a_code_are_shown_as_written(app):
    with force_locale("ru"):
        assert reasons.reason_filter(None, "Sent from another tab") == "Sent from another tab"
        unknown = {"code": "from_the_future", "args": {}}
        assert reasons.reason_filter(unknown, "Old text") == "Old text"
        broken = {"code": reasons.NOT_REACHED, "args": {}}
        assert reasons.reason_filter(broken, "Old text") == "Old text"
        assert reasons.reason_filter(None, None) == ""


def russian(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_an_order_sent_in_russian_reads_in_english_to_an_operator_and_back(
    client, operator_client, draft, run_jobs
):
    order = send(russian(client), draft.id, run_jobs)
    assert order.status == OrderStatus.IN_PROCESSING
    assert [event.reason for event in order.events] == [
        "Created",
        "Sent to processing by the customer",
        "Registered at the order service",
    ]
    ops_page = english(operator_client).get(f"/ops/orders/{draft.id}").get_data(as_text=True)
    assert "Sent to processing by the customer" in ops_page
    assert "Registered at the order service" in ops_page
    customer_page = client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "Отправлен вами в работу" in customer_page  # the customer's own page speaks to them
    assert "Зарегистрирован в сервисе заказов" in customer_page
    assert "Sent to processing by the customer" not in customer_page
    ops_in_russian = russian(operator_client).get(f"/ops/orders/{draft.id}")
    assert "Отправлен в работу клиентом" in ops_in_russian.get_data(as_text=True)


def test_an_order_cancelled_in_english_reads_in_russian(client, draft, run_jobs):
    send(english(client), draft.id, run_jobs)
    assert english(client).post(f"/orders/{draft.id}/cancel").status_code in (302, 303)
    assert reload(draft.id).status == OrderStatus.CANCELLED
    page = russian(client).get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "Отменён вами" in page and "Cancelled by the customer" not in page


def test_a_reason_from_before_the_codes_is_shown_as_written(client, draft):
    commit_transition(draft.id, OrderStatus.DRAFT, OrderStatus.SENDING, "Sent from another tab")
    event = db.session.scalars(
        db.select(OrderEvent).where(OrderEvent.order_id == draft.id).order_by(OrderEvent.id)
    ).all()[-1]
    assert event.reason == "Sent from another tab" and event.reason_coded is None
    for language in (russian, english):
        page = language(client).get(f"/orders/{draft.id}").get_data(as_text=True)
        assert "Sent from another tab" in page


def test_the_english_wording_needs_no_request(app):
    with force_locale("ru"):
        assert Reason(reasons.CREATED).english() == "Created"


def test_a_refusal_reads_in_russian_with_the_providers_own_words(client, draft):
    refusal = Reason(reasons.REJECTED, error="price: must be positive")
    commit_transition(draft.id, OrderStatus.DRAFT, OrderStatus.SENDING, None)
    commit_transition(draft.id, OrderStatus.SENDING, OrderStatus.DRAFT, refusal)
    expected = "Сервис заказов отклонил заказ: price: must be positive"
    assert expected in russian(client).get(f"/orders/{draft.id}").get_data(as_text=True)
    assert expected in client.get("/").get_data(as_text=True)
    english_page = english(client).get(f"/orders/{draft.id}").get_data(as_text=True)
    assert "The order service rejected the order: price: must be positive" in english_page
