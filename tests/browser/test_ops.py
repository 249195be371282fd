"""The operators' console in the browser: the main page (what needs a human first, filters, a
live refresh) and an order's story (calls, timeline, re-check and resolve), plus the health and
queue pages; screenshots for the README with UPDATE_SCREENSHOTS=1."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app.extensions import db
from app.models import Order, OrderStatus, ProviderCall
from app.orders.sending import request_send
from app.orders.sync import run_sync
from app.queue import get_queue
from tests.browser.conftest import LIVE_SETTINGS
from tests.browser.helpers import confirm_in_dialog, log_in, mark_page, page_not_reloaded
from tests.browser.orders import order_in_status
from tests.browser.test_pages import backdate, document
from tests.factories import Factory
from tests.support.orders import make_all_due, processing_orders, reload
from tests.support.waiting import wait_until

S = OrderStatus
OPERATOR, PASSWORD = "ops@example.com", "ops-secret"


@pytest.fixture
def app(make_app):
    """The browser's app, with the console refreshing every 2 s and sends flagged as
    unconfirmed after a minute."""
    app = make_app(**LIVE_SETTINGS, OPS_REFRESH_SECONDS=2, OPS_SEND_UNCONFIRMED_SECONDS=60)
    with app.app_context():
        yield app


@pytest.fixture
def operator_page(page: Page, app, seeded_user) -> Page:
    """A page logged in as an operator made with `flask create-user --operator`."""
    args = ["create-user", "--email", OPERATOR, "--password", PASSWORD, "--operator"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    log_in(page, OPERATOR, PASSWORD)
    return page


def customer(email: str):
    return Factory(db.session).user(email=email)


def set_columns(order: Order, **values) -> None:
    """Change an order as the app's code would, leaving its last update where it was."""
    statement = update(Order).where(Order.id == order.id)
    db.session.execute(statement.values(updated_at=Order.updated_at, **values))
    db.session.commit()


def unconfirmed_send(user_id, uuids) -> Order:
    order = order_in_status(user_id, uuids, S.SENDING)
    backdate(order, timedelta(minutes=25))
    db.session.commit()
    reason = "Retrying: The order service answered HTTP 503."
    set_columns(order, send_attempts=6, status_reason=reason)
    return order


def failing_checks(user_id, uuids, failures: int = 4) -> Order:
    order = order_in_status(user_id, uuids, S.IN_PROCESSING)
    backdate(order, timedelta(hours=3))
    db.session.commit()
    error = "The order service answered HTTP 502."
    set_columns(order, check_failures=failures, last_check_error=error)
    return order


def unknown_to_provider(user_id, uuids) -> Order:
    order = failing_checks(user_id, uuids, failures=2)
    error = f"The order service does not know order {order.external_uuid}."
    set_columns(order, last_check_error=error)
    db.session.add(ProviderCall(order_id=order.id, kind="check", outcome="not_found", answer=error))
    db.session.commit()
    return order


def finished_after_cancel(user_id, uuids) -> Order:
    order = order_in_status(user_id, uuids, S.CANCELLED)
    backdate(order, timedelta(days=1))
    db.session.commit()
    set_columns(order, after_cancel_state=S.DONE)
    return order


@pytest.fixture
def desk(seeded_user, services):
    """Orders of two customers in every status, four of them needing a human."""
    other = customer("studio@pixel.example")
    uuids = [s.uuid for s in services]
    calm = [
        order_in_status(seeded_user.id, uuids[0:2], S.DONE),
        order_in_status(other.id, uuids[2:3], S.IN_PROCESSING),
        order_in_status(other.id, uuids[3:5], S.DRAFT),
    ]
    return {
        "calm": calm,
        "unconfirmed_send": unconfirmed_send(other.id, uuids[5:6]),
        "unknown_to_provider": unknown_to_provider(seeded_user.id, uuids[6:8]),
        "failing_checks": failing_checks(other.id, uuids[8:9]),
        "finished_after_cancel": finished_after_cancel(seeded_user.id, uuids[9:10]),
    }


def attention_kinds(page) -> list[str]:
    rows = page.locator("#attention tbody tr")
    return [rows.nth(i).get_attribute("data-attention") for i in range(rows.count())]


def test_the_console_puts_what_needs_a_human_first_and_refreshes_itself(operator_page, desk):
    page = operator_page
    page.get_by_role("link", name="Operations").click()
    expect(page).to_have_url(re.compile(r"/ops/$"))
    expect(page.locator("#attention tbody tr")).to_have_count(4)
    assert attention_kinds(page) == [
        "unconfirmed_send",
        "unknown_to_provider",
        "failing_checks",
        "finished_after_cancel",
    ]
    expect(page.locator("#all-orders tbody tr")).to_have_count(7)
    document(page, "ops-console", full_page=True)

    mark_page(page)
    page.get_by_label("Customer").fill("pixel")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"customer=pixel"))
    expect(page.locator("#all-orders tbody tr")).to_have_count(4)
    page.get_by_label("Status").select_option("in_processing")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#all-orders tbody tr")).to_have_count(2)

    calm = desk["calm"][1]  # pixel's order in processing starts failing its checks
    set_columns(calm, check_failures=3, last_check_error="The order service answered HTTP 500.")
    expect(page.locator("#attention tbody tr")).to_have_count(5)
    expect(page.locator(f'#attention tr[data-order-id="{calm.id}"]')).to_have_attribute(
        "data-attention", "failing_checks"
    )
    assert page_not_reloaded(page)


def test_an_orders_story_and_a_recheck_that_finds_it_done(
    operator_page, seeded_user, services, sandbox, worker
):
    order = order_in_status(seeded_user.id, [services[0].uuid], S.DRAFT)
    assert request_send(order.id)
    wait_until(lambda: reload(order.id).status == S.IN_PROCESSING, seconds=30)
    sandbox.add_faults("order_state", {"status": 502})
    make_all_due()
    assert run_sync().errors == 1
    sandbox.force_state(reload(order.id).external_uuid, "done")

    page = operator_page
    page.goto(f"/ops/orders/{order.id}")
    calls = page.locator("#provider-calls tbody tr")
    expect(calls).to_have_count(2)
    expect(calls.nth(0)).to_have_attribute("data-outcome", "failed")
    expect(calls.nth(1)).to_have_attribute("data-outcome", "registered")
    expect(page.locator("#ops-timeline li")).to_have_count(3)
    document(page, "ops-order", full_page=True)

    page.get_by_role("button", name="Re-check the status now").click()

    expect(page.get_by_role("status").filter(has_text="Re-checked")).to_be_visible()
    expect(page.locator("#ops-story")).to_have_attribute("data-status", "done")
    note = page.locator("#ops-timeline li").first
    expect(note).to_contain_text("Status re-checked by an operator")
    expect(note).to_contain_text(f"by {OPERATOR}")
    expect(calls.first).to_have_attribute("data-outcome", "answered")
    expect(calls.first).to_contain_text(OPERATOR)


def test_resolving_an_unconfirmed_send_needs_a_note(
    operator_page, seeded_user, services, browser_errors
):
    browser_errors.allow(r"status of 422")
    order = unconfirmed_send(seeded_user.id, [services[0].uuid])
    page = operator_page
    page.goto(f"/ops/orders/{order.id}")
    expect(page.locator(".summary .attention")).to_have_text("Send unconfirmed")

    page.get_by_label("Note (required)").fill("   ")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_role("alert")).to_have_text("Write a note saying how the send was resolved.")
    assert reload(order.id).status == S.SENDING

    page.get_by_label("Note (required)").fill("The provider has no trace of it (ticket 4411).")
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_role("status").filter(has_text="Resolved: back to draft.")).to_be_visible()
    expect(page.locator("#ops-story")).to_have_attribute("data-status", "draft")
    expect(page.locator("#ops-timeline li").first).to_contain_text("ticket 4411")
    assert reload(order.id).status == S.DRAFT


def test_health_and_queues(operator_page, seeded_user, services, sandbox, sync_clock):
    processing_orders(sandbox, seeded_user.id, 12)  # the sync asks about them every second
    get_queue().enqueue("app.orders.jobs.submit_order", "not-an-order-id")  # fails
    page = operator_page
    page.goto("/ops/health")
    expect(page.locator("#readiness")).to_have_text("Ready", timeout=30_000)
    expect(page.locator('[data-check="worker"]')).to_have_attribute("data-ok", "true")
    expect(page.locator("#sync-runs tbody tr").first).to_be_visible()
    expect(page.locator("#live-workers")).to_have_text("1")
    expect(page.locator("#provider-health dd").first).not_to_have_text(re.compile(r"^(0|—)$"))
    document(page, "ops-health", full_page=True)

    page.get_by_role("link", name="Queues").click()
    expect(page.locator("#workers tbody tr")).to_have_count(1)
    expect(page.locator('#queue-table tr[data-queue="sends"]')).to_be_visible()
    failed = page.locator("#failed-jobs tbody tr")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("not-an-order-id")
    document(page, "ops-queues", full_page=True)
    failed.get_by_role("button", name="Delete").click()
    confirm_in_dialog(page, "Delete the job")
    expect(page.get_by_role("status").filter(has_text="The failed job is deleted.")).to_be_visible()
    expect(page.locator("#failed-jobs")).to_have_count(0)


def test_a_customer_gets_404_for_the_console(user_page, browser_errors):
    browser_errors.allow(r"status of 404")
    response = user_page.goto("/ops/")
    assert response.status == 404
    expect(user_page.get_by_role("link", name="Operations")).to_have_count(0)
