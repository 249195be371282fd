"""The console shows failing endpoints and the delivery backlog (to operators only, in their
language); `/metrics` counts deliveries by outcome, their latency and the backlog."""

from app.webhooks import service
from app.webhooks.delivery import requeue_lost
from tests.support.language import english_words
from tests.support.metrics import moved, scrape, value
from tests.webhooks.conftest import register
from tests.webhooks.receiver import status


def test_operators_see_failing_endpoints_and_the_backlog(
    app, user, operator_client, receivers, run_jobs
):
    broken, fine = receivers(status(503, "down for maintenance")), receivers()
    failing, _ = register(user.id, broken.url)
    working, _ = register(user.id, fine.url)
    for endpoint in (failing, working, failing):
        service.fire_test(user.id, endpoint.id)
    run_jobs()

    page = operator_client.get("/ops/webhooks").get_data(as_text=True)
    assert f'data-endpoint="{failing.id}"' in page and f'data-endpoint="{working.id}"' not in page
    assert "HTTP 503" in page and user.email in page
    assert 'data-backlog="waiting">2<' in page and 'data-backlog="retrying">2<' in page

    operator_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    russian = operator_client.get("/ops/webhooks").get_data(as_text=True)
    assert '<html lang="ru">' in russian
    assert english_words(russian, provider_texts=["HTTP 503"]) == []


def test_customers_do_not_see_the_console_page(client, logged_in):
    assert client.get("/ops/webhooks").status_code == 404


def test_deliveries_are_counted_by_outcome_with_latency_and_backlog(
    app, client, user, receivers, run_jobs
):
    fine, broken = receivers(), receivers(status(500))
    before = scrape(client)
    for url in (fine.url, broken.url):
        endpoint, _ = register(user.id, url)
        service.fire_test(user.id, endpoint.id)
    run_jobs()
    requeue_lost()  # the sweep also reads the backlog
    after = scrape(client)

    name = "clicktomice_webhook_deliveries_total"
    assert moved(before, after, name, outcome="delivered") == 1
    assert moved(before, after, name, outcome="http_error") == 1
    latency = "clicktomice_webhook_delivery_duration_seconds_count"
    assert moved(before, after, latency) == 2
    first = "clicktomice_webhook_first_attempt_delay_seconds_count"
    assert moved(before, after, first) == 2
    assert value(after, "clicktomice_webhook_backlog") == 1
