"""Addresses too long to serve: the app's styled 414 in the reader's language, for an address
over the app's bound and for the stand-in request the web process makes of a request line over
gunicorn's limit; and that stand-in itself, read from the bytes a client sends. (The web
process end to end: tests/test_web_process.py.)"""

import pytest
from gunicorn.config import Config
from gunicorn.http.errors import InvalidRequestLine, LimitRequestLine
from gunicorn.http.unreader import IterUnreader

from app.long_addresses import MAX_ADDRESS_LENGTH, STAND_IN_PATH
from app.long_request_line import MAX_SKIPPED, LongLineRequest

TITLES = {"en": "Address too long", "ru": "Адрес слишком длинный"}


def is_styled_414(response, language: str) -> bool:
    html = response.get_data(as_text=True)
    return (
        response.status_code == 414
        and f"<title>{TITLES[language]} · Click to Mice</title>" in html
        and f'<html lang="{language}">' in html
        and 'class="error-code">414<' in html
        and "app.css" in html
    )


@pytest.mark.parametrize("language", TITLES)
def test_an_address_over_the_bound_is_a_styled_414_in_the_browsers_language(client, language):
    query = "q=" + "x" * MAX_ADDRESS_LENGTH
    response = client.get(f"/catalog?{query}", headers={"Accept-Language": language})
    assert is_styled_414(response, language)


def test_the_stand_in_for_a_longer_line_is_the_same_414_in_the_chosen_language(client):
    client.set_cookie("locale", "ru")
    response = client.get(STAND_IN_PATH, headers={"Accept-Language": "en"})
    assert is_styled_414(response, "ru")


def test_an_address_within_the_bound_is_served(client, logged_in):
    query = "q=" + "x" * (MAX_ADDRESS_LENGTH - len("/catalog") - len("q="))
    response = client.get(f"/catalog?{query}")
    assert response.status_code == 200
    assert 'value="' + "x" * 100 + '"' in response.get_data(as_text=True)


def test_a_post_to_an_over_long_address_is_refused_before_csrf(client):
    response = client.post("/login?" + "x" * MAX_ADDRESS_LENGTH, data={"email": "a"})
    assert response.status_code == 414


LINE = b"GET /orders?q=" + b"x" * 20_000 + b" HTTP/1.1\r\n"
HEAD = LINE + b"Host: shop\r\nAccept-Language: ru\r\n\r\n"
NEXT = b"GET /login HTTP/1.1\r\nHost: shop\r\n\r\n"


def parse(data: bytes, chunk: int) -> tuple[LongLineRequest, IterUnreader]:
    """The request gunicorn's Python parser makes of `data`, received `chunk` bytes at a time."""
    config = Config()
    config.set("limit_request_line", 8190)
    config.set("http_parser", "python")
    unreader = IterUnreader([data[i : i + chunk] for i in range(0, len(data), chunk)])
    return LongLineRequest(config, unreader, ("127.0.0.1", 40000)), unreader


# Reads of 8 KiB, of a few bytes, one that ends between the line's CR and LF, all at once.
@pytest.mark.parametrize("chunk", [8192, 7, len(LINE) - 1, len(HEAD + NEXT)])
def test_a_line_over_the_limit_becomes_a_request_for_the_stand_in_with_its_headers(chunk):
    request, unreader = parse(HEAD + NEXT, chunk)
    assert (request.method, request.path, request.query) == ("GET", STAND_IN_PATH, "")
    assert request.version == (1, 1)
    assert request.headers == [("HOST", "shop"), ("ACCEPT-LANGUAGE", "ru")]
    assert rest(unreader) == NEXT  # the connection's next request, left as it came


def rest(unreader: IterUnreader) -> bytes:
    read = b""
    while chunk := unreader.read():
        read += chunk
    return read


def test_a_line_within_the_limit_is_read_as_sent():
    request, _ = parse(b"POST /login?q=" + b"x" * 8000 + b" HTTP/1.0\r\n\r\n", 8192)
    assert (request.method, request.path, request.version) == ("POST", "/login", (1, 0))
    assert request.query == "q=" + "x" * 8000


def test_a_bare_lf_in_a_long_line_is_refused_as_gunicorn_refuses_it():
    with pytest.raises(InvalidRequestLine):
        parse(b"GET /" + b"x" * 20_000 + b"\nHost: evil\r\n\r\n", 8192)


def test_a_line_longer_than_any_browser_sends_is_still_refused():
    with pytest.raises(LimitRequestLine):
        parse(b"GET /" + b"x" * (MAX_SKIPPED + 20_000) + b" HTTP/1.1\r\n\r\n", 65536)
