"""Odd inputs for the fuzz test: parameter values, bodies of every shape and field type,
encodings, methods and headers.

Each input is a dict of keyword arguments for the test client's `open` (plus a label); the
fuzz test sends every one of them to every route.
"""

import json

from tests.support.bodies import (
    JSON_BODIES,
    JSON_VALUES,
    bad_byte_shapes,
    content_type_shapes,
    file_parts,
    json_body,
    multipart,
)

# The customers' query parameters and form fields.
PARAMETERS = [
    "page",
    "status",
    "next",
    "q",
    "services",
    "service",
    "add",
    "email",
    "password",
    "locale",
    "revision",
]
# The console's query parameters and form fields (only operators reach the console).
OPS_PARAMETERS = ["page", "status", "customer", "age", "next", "note", "external_uuid"]
# Fields that the app's forms take, for the body shapes.
SHAPE_FIELDS = {
    "email": "a@b.c",
    "password": "secret",
    "services": ["s1", "s2"],
    "next": "/",
    "revision": "1",
}

ODD_VALUES = [
    "²",  # a digit to str.isdigit(), not to int()
    "½",  # a number to str.isnumeric(), not to int()
    "-1",
    "9" * 5000,  # more digits than int() accepts
    "1e999999",
    "\x00",
    "/\r\nSet-Cookie: pwned=1",  # header injection through a redirect target
    "/orders\x0b\x7f",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "//evil.example/",
    "javascript:alert(1)",
    "😀" * 300,
    "a" * 60_000,
]

ODD_METHODS = ["PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "CONNECT", "OPTIONS", "HEAD", "BREW"]

FORM = "application/x-www-form-urlencoded"
TOO_LARGE = b"x" * (16 * 1024 * 1024 + 1)


# A query string longer than an address may be is a 414 before the body is read
# (tests/test_long_addresses.py), so the query holds each value's first characters only.
QUERY_CHARACTERS = 1000


def parameter_inputs(parameters: list[str]) -> list[dict]:
    """Every parameter with every odd value, in the query string and in the form body."""
    return [
        {
            "label": f"{name}={value[:12]!r}",
            "query_string": {name: value[:QUERY_CHARACTERS]},
            "data": {name: value, "csrf_token": value},
        }
        for name in parameters
        for value in ODD_VALUES
    ]


def encoding_inputs() -> list[dict]:
    """Bytes that are not UTF-8, in the query, the path's query and the body."""
    return [
        {"label": "bad query bytes", "environ_overrides": {"QUERY_STRING": "page=%ff%fe&next=%c0"}},
        {"label": "raw latin-1 query", "environ_overrides": {"QUERY_STRING": "status=\xff\xfe"}},
        {
            "label": "bad body bytes",
            "data": b"email=%ff%fe&password=\xff\x00",
            "content_type": FORM,
        },
        {"label": "utf-16 body", "data": "email=a@b.c".encode("utf-16"), "content_type": FORM},
        {"label": "bad charset", "data": b"a=b", "content_type": FORM + "; charset=klingon"},
    ]


def body_inputs() -> list[dict]:
    """Bodies of odd size, type and shape."""
    many = "&".join(f"services=s{i}" for i in range(5000))
    return [
        {"label": "too large", "data": TOO_LARGE, "content_type": FORM},
        {"label": "5000 fields", "data": many, "content_type": FORM},
        {
            "label": "json",
            "data": json.dumps({"services": [1, None]}),
            "content_type": "application/json",
        },
        {"label": "multipart file", "data": {"services": (b"\x00" * 1000, "x.bin")}},
        {
            "label": "multipart, no boundary",
            "data": b"--x--",
            "content_type": "multipart/form-data",
        },
        {"label": "garbage content type", "data": b"a=b", "content_type": "\x01/\x02"},
        {"label": "empty list", "data": {"services": []}},
        {"label": "nested names", "data": {"services[]": "x", "services[0][a]": "y"}},
    ]


def shape_inputs() -> list[dict]:
    """The forms' fields in every other body shape: as files, of every JSON type, with bytes
    that are not UTF-8, under other content types, and no body at all."""
    every_field_a_file = multipart([(name, "x", "x.txt") for name in SHAPE_FIELDS])
    every_field_json = [
        (
            f"every field JSON {json.dumps(value)[:12]}",
            json_body(dict.fromkeys(SHAPE_FIELDS, value)),
        )
        for value in JSON_VALUES
    ]
    shapes = [
        ("every field a file part", every_field_a_file),
        ("no body", {"data": b""}),
        *every_field_json,
        *[(f"JSON body {json.dumps(value)[:12]}", json_body(value)) for value in JSON_BODIES],
        *[(label, body) for label, body, _ in file_parts({"email": "a@b.c"})],
        *[(label, body) for label, body, _ in bad_byte_shapes({"email": "a@b.c"})],
        *[(label, body) for label, body, _ in content_type_shapes(SHAPE_FIELDS)],
    ]
    return [{"label": label, **body} for label, body in shapes]


def header_inputs() -> list[dict]:
    """htmx headers pointing at odd targets, forged proxies, broken cookies."""
    return [
        {"label": "htmx, odd target", "headers": {"HX-Request": "true", "HX-Target": "\x00<x>"}},
        {"label": "htmx boosted", "headers": {"HX-Request": "true", "HX-Boosted": "true"}},
        {
            "label": "htmx history",
            "headers": {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        },
        {"label": "forged proxy", "headers": {"X-Forwarded-For": "<script>, 999.1.1.1, ::g"}},
        {
            "label": "forged proto",
            "headers": {"X-Forwarded-Proto": "gopher", "Host": "evil.example"},
        },
        {"label": "broken cookie", "headers": {"Cookie": "session=\x00garbage; session=.eJy"}},
        {"label": "huge header", "headers": {"X-Filler": "y" * 60_000}},
        {"label": "odd accept", "headers": {"Accept": "*/*;q=NaN", "Accept-Language": "\x00"}},
        {"label": "odd range", "headers": {"Range": "bytes=999999999-1"}},
    ]


def method_inputs() -> list[dict]:
    return [{"label": f"method {method}", "method": method} for method in ODD_METHODS]


def all_inputs(parameters: list[str] = PARAMETERS) -> list[dict]:
    return [
        *parameter_inputs(parameters),
        *encoding_inputs(),
        *body_inputs(),
        *shape_inputs(),
        *header_inputs(),
        *method_inputs(),
    ]
