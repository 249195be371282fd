"""While Redis cannot count login attempts (its connection cut, or frozen, behind a fault proxy
of the test's own: the shared Redis is never touched), no password is checked however many
attempts arrive at once: each gets the styled "try again shortly" 503 with Retry-After, in its
reader's language. Once the proxy forwards again, logins work again and are counted."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

from tests.chaos.proxy import FaultProxy
from tests.support.auth import EMAIL, PASSWORD
from tests.support.bodies import text_parts, urlencoded
from tests.support.password_checks import PasswordChecks
from tests.support.waiting import wait_until

PARALLEL_ATTEMPTS = 40
SHORTLY = {"en": "Please try again shortly.", "ru": "Пожалуйста, попробуйте ещё раз чуть позже."}


@pytest.fixture
def redis_proxy(base_settings):
    proxy = FaultProxy.in_front_of(base_settings["REDIS_URL"], "redis-proxy")
    yield proxy
    proxy.stop()


@pytest.fixture
def served(make_app, base_settings, redis_proxy, user):
    """The app over real HTTP, one thread per request, reaching Redis through the proxy."""
    app = make_app(REDIS_URL=redis_proxy.url(base_settings["REDIS_URL"]))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def password_checks(monkeypatch):
    return PasswordChecks(monkeypatch)


def log_in(url: str, number: int = 0, password: str = PASSWORD) -> requests.Response:
    """One login attempt from its own connection, in a form or multipart body, in English or
    Russian by turns."""
    fields = {"email": EMAIL, "password": password}
    body = (urlencoded if number % 2 else text_parts)(fields)
    headers = {"Accept-Language": "ru" if number % 4 < 2 else "en"}
    if body["content_type"]:
        headers["Content-Type"] = body["content_type"]
    return requests.post(
        f"{url}/login", data=body["data"], headers=headers, allow_redirects=False, timeout=30
    )


def in_parallel(url: str, count: int) -> list[requests.Response]:
    start = threading.Barrier(count)

    def attempt(number: int) -> requests.Response:
        start.wait(timeout=30)
        return log_in(url, number)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def told_to_try_again_shortly(response: requests.Response, app) -> bool:
    language = response.request.headers["Accept-Language"]
    return (
        response.status_code == 503
        and response.headers.get("Retry-After") == str(app.config["LOGIN_UNCOUNTED_RETRY_SECONDS"])
        and SHORTLY[language] in response.text
        and 'class="card error-page"' in response.text
    )


@pytest.mark.parametrize("fault", ["cut", "freeze"])
def test_no_password_is_checked_while_redis_cannot_count(
    served, redis_proxy, password_checks, fault
):
    url, app = served
    assert log_in(url, password="wrong").status_code == 401  # counted through the proxy
    getattr(redis_proxy, fault)()
    responses = in_parallel(url, PARALLEL_ATTEMPTS)
    wrong = [r.status_code for r in responses if not told_to_try_again_shortly(r, app)]
    assert wrong == []
    assert password_checks.count == 1

    redis_proxy.restore()
    answers = []

    def logged_in_again() -> bool:
        answers.append(log_in(url).status_code)
        return answers[-1] == 302

    wait_until(logged_in_again, seconds=15, explain=lambda: f"answers: {answers}")
    assert set(answers) <= {503, 302}  # a pooled connection the cut broke may fail once more
    assert password_checks.count == 2
