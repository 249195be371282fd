"""The operators' console speaks Russian to an operator who reads Russian: no English words
left on its pages, apart from what others wrote (an operator's note, job and queue names, the
readiness checks shared with /readyz)."""

import pytest

from app.health import readiness
from app.queue_info import queue_states
from tests.support.language import english_words
from tests.support.ops import UNCONFIRMED_AT_ONCE, calls, send

ALLOWED = {"readyz"}  # the name of the readiness endpoint, in the health page's hint


@pytest.fixture
def app(make_app):
    app = make_app(**UNCONFIRMED_AT_ONCE)
    with app.app_context():
        yield app


@pytest.fixture
def russian_operator(operator_client):
    operator_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return operator_client


def english_on(client, path: str, given=()) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html
    return english_words(html, provider_texts=given, allowed=ALLOWED)


@pytest.fixture
def unconfirmed(client, draft, run_jobs, provider_down):
    """An order whose send the provider never confirmed, with its failed call on record."""
    return send(client, draft.id, run_jobs)


def test_the_orders_page_is_in_russian(russian_operator, unconfirmed):
    assert english_on(russian_operator, "/ops/") == []
    assert english_on(russian_operator, "/ops/?status=sending&age=lt1h&customer=x") == []


def test_an_orders_story_is_in_russian(russian_operator, unconfirmed, sandbox):
    page = f"/ops/orders/{unconfirmed.id}"
    assert "HTTP 503" in calls(unconfirmed.id)[0].answer  # kept in English for the records
    assert english_on(russian_operator, page) == []
    sandbox.set_knobs(error_rate=0.0)
    russian_operator.post(f"{page}/resolve", data={"note": "Уточнили по телефону"})
    story = russian_operator.get(page).get_data(as_text=True)
    assert "Уточнили по телефону" in story and "Сервис заказов ответил кодом HTTP 503" in story
    assert english_on(russian_operator, page) == []


def test_a_refused_action_answers_in_russian(russian_operator, unconfirmed):
    response = russian_operator.post(
        f"/ops/orders/{unconfirmed.id}/resolve", data={"note": "", "external_uuid": "x"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Напишите заметку" in html
    assert english_words(html, allowed=ALLOWED) == []


def test_health_and_queues_are_in_russian(russian_operator, unconfirmed):
    given = health_problems() + queue_names()
    assert english_on(russian_operator, "/ops/health", given=given) == []
    command = "python worker.py"  # a command to type, in a <code>
    assert english_on(russian_operator, "/ops/queues", given=[*queue_names(), command]) == []


def health_problems() -> list[str]:
    """The readiness checks' own words (app/health, shared with /readyz): not the console's."""
    return [problem for problem in readiness().values() if problem]


def queue_names() -> list[str]:
    return [queue.name for queue in queue_states()]
