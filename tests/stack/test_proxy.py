"""What nginx does in front of the hosts: the login limit sees each client's own address (and
not one a client writes into X-Forwarded-For), the static files are fingerprinted, kept a year
and compressed, and every page says HTTPS only (HSTS)."""

import re

import httpx

from tests.stack.customers import ssl_context

ACCOUNT_LIMIT = 5  # LOGIN_LIMIT_PER_ACCOUNT: 5 per 5 minutes, per account and address


def test_the_login_limit_counts_each_client_address_through_nginx(make_customer):
    first = make_customer(local_address="127.0.0.2")
    wrong = [first.log_in("wrong-password") for _ in range(ACCOUNT_LIMIT)]
    assert [answer.status_code for answer in wrong] == [401] * ACCOUNT_LIMIT
    # A client cannot pass for another address: nginx writes X-Forwarded-For itself.
    first.http.headers["X-Forwarded-For"] = "198.51.100.7"
    assert first.log_in().status_code == 429
    # The same account from another client address is counted apart, and logs in.
    second = type(first)(
        first.http.base_url,
        first.email,
        first.password,
        first.certificate,
        local_address="127.0.0.3",
    )
    try:
        assert second.log_in().status_code in (302, 303)
    finally:
        second.close()


def test_static_files_are_fingerprinted_kept_a_year_and_compressed(stack):
    with httpx.Client(
        base_url=stack.settings.url, verify=ssl_context(stack.settings.certificate)
    ) as http:
        page = http.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        addresses = re.findall(r'(?:href|src)="(/static/[^"?]+\?v=[0-9a-f]{12})"', page.text)
        assert {"app.css", "app.js"} <= {a.split("/")[-1].split("?")[0] for a in addresses}
        for address in addresses:
            answer = http.get(address, headers={"Accept-Encoding": "gzip"})
            assert answer.status_code == 200
            assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
            if re.search(r"\.(css|js)\?", address):
                assert answer.headers["content-encoding"] == "gzip"
        bare = http.get("/static/app.js")  # no fingerprint: checked again each time
        assert bare.headers["cache-control"] == "no-cache"


def test_with_no_host_answering_nginx_says_unavailable_in_the_desks_own_page(healthy_stack):
    """Both hosts down (or the one holding a POST dead mid-way): a styled 503 that says when to
    retry and to check the orders first, not nginx's bare 502."""
    for host in healthy_stack.settings.hosts:
        healthy_stack.kill(host)
    with httpx.Client(
        base_url=healthy_stack.settings.url, verify=ssl_context(healthy_stack.settings.certificate)
    ) as http:
        for answer in (http.get("/orders"), http.post("/orders/new", data={"x": "1"})):
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            assert "error-page" in answer.text and "check your orders" in answer.text
            assert "nginx" not in answer.text
