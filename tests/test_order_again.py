"""Order again: a new draft from any order, with today's prices and the services still sold."""

import uuid
from decimal import Decimal

from sqlalchemy import select, update

from app.extensions import db
from app.models import Order, OrderItem, OrderStatus
from app.orders.drafts import create_draft


def drafts_of(user) -> list[Order]:
    db.session.expire_all()
    query = select(Order).where(Order.user_id == user.id, Order.status == OrderStatus.DRAFT)
    return db.session.scalars(query.order_by(Order.created_at)).all()


def test_a_done_order_becomes_a_new_draft_at_todays_prices(client, logged_in, services):
    done = create_draft(logged_in.id, [services[0].uuid, services[1].uuid])
    db.session.execute(
        update(Order)
        .where(Order.id == done.id)
        .values(status=OrderStatus.DONE, gross=Decimal("1.00"))
    )
    db.session.execute(update(OrderItem).values(gross=Decimal("0.50")))
    db.session.commit()

    response = client.post(f"/orders/{done.id}/order-again")

    [new] = drafts_of(logged_in)
    assert response.status_code == 303 and response.headers["Location"] == f"/orders/{new.id}"
    assert [str(i.service_uuid) for i in new.items] == [services[0].uuid, services[1].uuid]
    assert new.gross == services[0].gross + services[1].gross
    assert client.get(f"/orders/{done.id}").status_code == 200  # the old one is untouched


def test_services_gone_from_the_catalog_are_named(client, logged_in, services):
    done = create_draft(logged_in.id, [services[0].uuid, services[1].uuid])
    db.session.execute(
        update(OrderItem)
        .where(OrderItem.service_uuid == uuid.UUID(services[1].uuid))
        .values(service_uuid=uuid.uuid4())
    )
    db.session.commit()
    client.post(f"/orders/{done.id}/order-again")
    html = client.get(f"/orders/{drafts_of(logged_in)[-1].id}").get_data(as_text=True)
    assert f"Left out, no longer in the catalog: {services[1].name}" in html


def test_nothing_left_to_order_changes_nothing(client, logged_in, services):
    done = create_draft(logged_in.id, [services[0].uuid])
    db.session.execute(update(OrderItem).values(service_uuid=uuid.uuid4()))
    db.session.commit()
    response = client.post(
        f"/orders/{done.id}/order-again", headers={"HX-Request": "true", "HX-Target": "x"}
    )
    assert response.status_code == 422
    assert "None of this order’s services are in the catalog any more" in response.text
    assert len(drafts_of(logged_in)) == 1


def test_someone_elses_order_is_not_found(client, logged_in, factory, services):
    other = create_draft(factory.user().id, [services[0].uuid])
    assert client.post(f"/orders/{other.id}/order-again").status_code == 404
    assert client.get(f"/orders/{other.id}/order-again").status_code == 405
    assert drafts_of(logged_in) == []
