"""No server-side request forgery: in production settings, plain http and every address that
leads inside (loopback, private, link-local, multicast, reserved, cloud metadata) are refused
when an endpoint is registered, and again at each delivery after name resolution."""

import secrets
import socket

import pytest
from sqlalchemy import select

from app.extensions import db
from app.webhooks import service
from app.webhooks.addresses import forbidden
from app.webhooks.delivery import deliver
from app.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from app.webhooks.signing import new_secret
from tests.factories import Factory

REFUSED = {
    "http://example.com/hooks": "not_https",
    "ftp://example.com/hooks": "bad_url",
    "https:///hooks": "bad_url",
    "https://user:pass@example.com/hooks": "bad_url",
    "https://127.0.0.1/hooks": "private_address",
    "https://localhost/hooks": "private_address",  # a name, resolved
    "https://10.1.2.3/hooks": "private_address",
    "https://192.168.0.10/hooks": "private_address",
    "https://172.16.5.4/hooks": "private_address",
    "https://169.254.169.254/latest/meta-data": "private_address",
    "https://100.100.100.200/": "private_address",
    "https://100.64.0.1/": "private_address",
    "https://0.0.0.0/": "private_address",
    "https://224.0.0.1/": "private_address",
    "https://240.0.0.1/": "private_address",
    "https://[::1]/hooks": "private_address",
    "https://[::ffff:127.0.0.1]/hooks": "private_address",
    "https://[fd00:ec2::254]/": "private_address",
    "https://[fe80::1]/": "private_address",
    "https://no-such-host.invalid/": "unresolvable",
    "https://example.com:99999/": "bad_url",
}


@pytest.fixture
def production(make_app):
    """An app with production settings (which ignore WEBHOOK_ALLOW_LOCAL), in its context."""
    app = make_app(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        CATALOG_SERVICES_API_TOKEN="sandbox-catalog-token",
        ORDER_SERVICE_API_TOKEN="sandbox-order-token",
        WEBHOOK_ALLOW_LOCAL=1,
    )
    with app.app_context():
        yield app


@pytest.fixture
def owner(production):
    return Factory(db.session).user(email="owner@example.com", password="owner-secret")


@pytest.mark.parametrize("url", REFUSED)
def test_registration_refuses_addresses_inside(production, owner, url):
    with pytest.raises(service.EndpointError) as refused:
        service.create_endpoint(owner.id, url, ["order.done"])
    assert (refused.value.code, refused.value.field) == (REFUSED[url], "url")
    db.session.rollback()
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_a_public_https_address_is_accepted(production, owner, monkeypatch):
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: public)
    url = "https://hooks.example.com/in"
    endpoint, secret = service.create_endpoint(owner.id, url, ["order.done"])
    assert endpoint.url == "https://hooks.example.com/in" and secret.startswith("whsec_")


def test_one_private_address_among_public_ones_is_refused(production, owner, monkeypatch):
    mixed = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: mixed)
    with pytest.raises(service.EndpointError):
        service.create_endpoint(owner.id, "https://hooks.example.com/in", ["order.done"])


def test_a_name_that_turns_private_after_registration_is_refused_at_delivery(
    production, owner, receivers, monkeypatch
):
    """DNS rebinding: the name resolved to a public address at registration, and to the
    machine's own at delivery (the real resolver cannot be made to do this, hence the patch)."""
    receiver = receivers()
    answers = {"now": [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]}
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return answers["now"]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    url = f"https://hooks.example.com:{receiver.port}/hooks"
    endpoint, _ = service.create_endpoint(owner.id, url, ["order.done"])
    event = service.fire_test(owner.id, endpoint.id)
    answers["now"] = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", receiver.port))]

    deliver(event.id)

    [attempt] = db.session.scalars(select(WebhookAttempt)).all()
    assert attempt.outcome == "refused" and "127.0.0.1" in attempt.error
    assert receiver.received == []


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_an_endpoint_inside_is_refused_at_delivery_whatever_its_row_says(
    production, owner, receivers, host
):
    """An endpoint row written before these rules (or by hand) still never gets a request."""
    receiver = receivers()
    endpoint = WebhookEndpoint(
        user_id=owner.id,
        url=f"https://{host}:{receiver.port}/hooks",
        event_types=["order.done"],
        secret=new_secret(),
    )
    db.session.add(endpoint)
    db.session.commit()
    event = service.fire_test(owner.id, endpoint.id)

    deliver(event.id)

    [attempt] = db.session.scalars(select(WebhookAttempt)).all()
    assert attempt.outcome == "refused"
    assert receiver.received == []
    db.session.expire_all()
    assert db.session.get(WebhookEvent, event.id).state == "pending"  # retried on its schedule


@pytest.mark.parametrize(
    ("address", "refused"),
    [("8.8.8.8", False), ("2606:4700::1111", False), ("127.0.0.2", True), ("::", True)],
)
def test_forbidden_addresses(address, refused):
    assert forbidden(address) is refused


def test_development_settings_allow_local_http(app, user, receiver):
    endpoint, _ = service.create_endpoint(user.id, receiver.url, ["order.done"])
    assert endpoint.url.startswith("http://127.0.0.1:")
