"""Order again: any order that is not a draft makes a new draft with the same services, at
today's prices, naming those that left the catalog."""

import re
import uuid

from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from app.models import OrderItem, OrderStatus
from tests.browser.orders import order_in_status

NEW_DRAFT_URL = re.compile(r"/orders/[0-9a-f-]{36}$")


def names_of(services, *names):
    by_name = {s.name: s.uuid for s in services}
    return [by_name[name] for name in names]


def leave_the_catalog(item: OrderItem) -> None:
    """As if the provider had withdrawn this service: its uuid is no longer in the catalog."""
    db.session.execute(
        update(OrderItem).where(OrderItem.id == item.id).values(service_uuid=uuid.uuid4())
    )
    db.session.commit()


def test_ordering_a_done_order_again_from_the_list(user_page, seeded_user, services):
    names = names_of(services, "Logo design — Basic", "SEO audit — Basic")
    done = order_in_status(seeded_user.id, names, OrderStatus.DONE)
    leave_the_catalog(done.items[1])
    page = user_page
    page.goto("/")
    row = page.locator(f'tr[data-order-id="{done.id}"]')
    expect(row.get_by_role("button")).to_have_text(["Order again"])

    row.get_by_role("button", name="Order again").click()

    expect(page).to_have_url(NEW_DRAFT_URL)
    assert str(done.id) not in page.url
    expect(page.locator("#order-summary")).to_have_attribute("data-status", "draft")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Logo design — Basic")
    expect(page.get_by_role("status").filter(has_text="A new draft with the same")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Left out")).to_have_text(
        re.compile("Left out, no longer in the catalog: SEO audit — Basic")
    )


def test_every_status_but_draft_can_be_ordered_again(user_page, seeded_user, services):
    names = names_of(services, "Newsletter setup — Basic", "Customer survey — Basic")
    page = user_page
    for status in (OrderStatus.CANCELLED, OrderStatus.FAILED, OrderStatus.IN_PROCESSING):
        order = order_in_status(seeded_user.id, names, status)
        page.goto(f"/orders/{order.id}")
        page.locator("#order-summary").get_by_role("button", name="Order again").click()
        expect(page).to_have_url(NEW_DRAFT_URL)
        expect(page.locator("#order-summary")).to_have_attribute("data-status", "draft")
        expect(page.locator("tbody tr")).to_have_count(2)
        expect(page.locator("tfoot")).to_contain_text(f"{order.gross:.2f}")
    draft = order_in_status(seeded_user.id, names, OrderStatus.DRAFT)
    page.goto(f"/orders/{draft.id}")
    expect(page.get_by_role("button", name="Order again")).to_have_count(0)


def test_nothing_left_in_the_catalog_is_said_plainly(user_page, seeded_user, services):
    done = order_in_status(seeded_user.id, names_of(services, "SEO audit — Pro"), "done")
    leave_the_catalog(done.items[0])
    page = user_page
    page.goto(f"/orders/{done.id}")
    page.get_by_role("button", name="Order again").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "None of this order’s services are in the catalog any more: SEO audit — Pro"
    )
    expect(page).to_have_url(re.compile(f"/orders/{done.id}$"))
