"""The operators' console speaks Russian to an operator who reads Russian: no English words
left on its pages, apart from what others wrote (an operator's note, job and queue names, the
readiness checks shared with /readyz) and what the customer pages translate (status labels)."""

import pytest

from app.health.checks import readiness
from app.queue_info import queue_states
from tests.support.language import english_words
from tests.support.ops import calls, send

# Translated with the customer's pages (OrderStatus.LABELS, the `timestamp` filter's "never");
# English on this branch alone. And a path: /readyz.
ALLOWED = {"readyz"}  # the name of the readiness endpoint, in the health page's hint


@pytest.fixture
def app(make_app):
    """Sends flagged as unconfirmed at once, so the console has something that needs a human."""
    app = make_app(SEND_MAX_ATTEMPTS=50, SEND_BACKOFF_SECONDS=60, OPS_SEND_UNCONFIRMED_SECONDS=0)
    with app.app_context():
        yield app


@pytest.fixture
def russian_operator(operator_client):
    operator_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return operator_client


def console_part(html: str) -> str:
    """The page's <main>: the console's own; the layout around it is the customer pages'."""
    return "<main" + html.split("<main", 1)[1].split("</main>", 1)[0]


def english_on(client, path: str, given=()) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html
    return english_words(console_part(html), provider_texts=given, allowed=ALLOWED)


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
    assert english_words(console_part(html), allowed=ALLOWED) == []


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
