"""Request bodies of every shape a form endpoint may be sent, built byte by byte, each with the
answer the form body rule (app/form_body.py) gives it.

`odd_shapes(fields)` takes the fields an endpoint accepts as a plain web form and sends them
every other way: file parts, JSON of every type, bytes that are not UTF-8, other content types.
Each shape is (label, keyword arguments for the test client's `open`, expected status).
"""

import json
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
BOUNDARY = "odd-shape-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
JSON = "application/json"
NOT_UTF8 = b"\xff\xfe\xc3("  # a stray byte, a byte order mark's half, a cut sequence

# Every kind of JSON value that is not a text, as a field's value.
JSON_VALUES = [0, -1.5, 10**30, True, False, None, {}, {"a": "b"}, [], [1], ["a", 2], [["a"]]]
# JSON bodies that are not an object at all.
JSON_BODIES = [[1, 2], [{"email": "a@b.c"}], 123, 1.5, "email=a@b.c", None, True]

Fields = dict[str, str | list[str]]
Shape = tuple[str, dict, int]


def pairs(fields: Fields) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    ]


def as_bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode()


def multipart(parts: list[tuple[str | bytes, str | bytes, str | None]]) -> dict:
    """A multipart/form-data body of (name, content, filename or None for a text part)."""
    chunks = []
    for name, content, filename in parts:
        disposition = b'form-data; name="' + as_bytes(name) + b'"'
        if filename is not None:
            disposition += f'; filename="{filename}"'.encode()
        chunks += [f"--{BOUNDARY}\r\n".encode(), b"Content-Disposition: " + disposition]
        chunks += [b"\r\n\r\n", as_bytes(content), b"\r\n"]
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return {"data": b"".join(chunks), "content_type": MULTIPART}


def text_parts(fields: Fields) -> dict:
    return multipart([(name, value, None) for name, value in pairs(fields)])


def urlencoded(fields: Fields, content_type: str | None = FORM) -> dict:
    return {"data": urlencode(pairs(fields)), "content_type": content_type}


def json_body(value: object) -> dict:
    return {"data": json.dumps(value), "content_type": JSON}


def file_parts(fields: Fields) -> list[Shape]:
    """Each field sent as a file: its own text in a file part, or binary bytes."""
    shapes = []
    for name in fields:
        for label, content in (("text", "a@b.c"), ("binary", b"\x00\x89PNG" * 100)):
            parts = [(other, value, None) for other, value in pairs(fields) if other != name]
            parts.append((name, content, "upload.bin"))
            shapes.append((f"{name} as a {label} file part", multipart(parts), 400))
    return shapes


def json_shapes(fields: Fields) -> list[Shape]:
    """The fields as a JSON object of texts, with each field of every other JSON type, and JSON
    bodies that are no object."""
    plain = dict(fields)
    shapes = [("JSON object of texts", json_body(plain), 415)]
    for name in fields:
        for value in JSON_VALUES:
            body = json_body({**plain, name: value})
            shapes.append((f"JSON {name}={json.dumps(value)[:12]}", body, 415))
    shapes += [
        (f"JSON body {json.dumps(value)[:12]}", json_body(value), 415) for value in JSON_BODIES
    ]
    return shapes


def bad_byte_shapes(fields: Fields) -> list[Shape]:
    """Bytes that are not UTF-8 in each field, raw and percent-encoded, in both encodings."""
    shapes = []
    for name in fields:
        others = urlencode([(other, v) for other, v in pairs(fields) if other != name])
        raw = f"{others}&{name}=".encode() + NOT_UTF8
        escaped = f"{others}&{name}=%FF%FE%C3%28"
        shapes.append((f"{name} raw non-UTF-8", {"data": raw, "content_type": FORM}, 400))
        shapes.append((f"{name} %-encoded non-UTF-8", {"data": escaped, "content_type": FORM}, 400))
        parts = [(other, v, None) for other, v in pairs(fields) if other != name]
        shapes.append((f"{name} non-UTF-8 part", multipart([*parts, (name, NOT_UTF8, None)]), 400))
    parts = [(n, v, None) for n, v in pairs(fields)]
    shapes.append(("non-UTF-8 part name", multipart([*parts, (b"x\xff", "1", None)]), 400))
    utf16 = {"data": urlencode(pairs(fields)).encode("utf-16"), "content_type": FORM}
    shapes.append(("UTF-16 body", utf16, 400))
    return shapes


def content_type_shapes(fields: Fields) -> list[Shape]:
    """The fields, well encoded, under a content type that is not a web form in UTF-8."""
    body = urlencode(pairs(fields))
    multipart_body = text_parts(fields)["data"]
    types = [
        ("text/plain", 415),
        ("application/xml", 415),
        ("application/x-www-form-urlencodedx", 415),
        (f"{FORM}; charset=latin-1", 415),
        (f"{FORM}; charset=klingon", 415),
        ("\x01/\x02", 415),
    ]
    shapes = [
        (f"type {kind!r}", {"data": body, "content_type": kind}, code) for kind, code in types
    ]
    shapes.append(("no content type", {"data": body}, 415))
    for label, kind in (("no", ""), ("another", "; boundary=other")):
        unreadable = {"data": multipart_body, "content_type": "multipart/form-data" + kind}
        shapes.append((f"multipart, {label} boundary", unreadable, 400))
    return shapes


def odd_shapes(fields: Fields) -> list[Shape]:
    return [
        *file_parts(fields),
        *json_shapes(fields),
        *bad_byte_shapes(fields),
        *content_type_shapes(fields),
    ]
