"""Every API response a test sees is checked against the OpenAPI document: its status is one
the operation documents, its media type the documented one, its body valid for the schema;
and every GET's answer has an ETag, every 429 a Retry-After."""

import json
import re

from jsonschema import Draft202012Validator, FormatChecker


class DocumentCheck:
    def __init__(self, document: dict):
        self.document = document
        self.routes = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), entries)
            for path, entries in document["paths"].items()
        ]

    def operation(self, method: str, path: str) -> dict | None:
        for pattern, entries in self.routes:
            if pattern.match(path):
                return entries.get(method.lower())
        return None

    def check(self, method: str, path: str, response) -> None:
        operation = self.operation(method, path)
        if operation is None:  # unknown paths answer problems; the document has no entry
            assert response.status_code in (404, 405), (method, path, response.status_code)
            assert response.mimetype == "application/problem+json"
            return
        documented = operation["responses"]
        status = str(response.status_code)
        assert status in documented, f"{method} {path} answered {status}, not documented"
        if method == "GET" and status in ("200", "304"):
            assert response.headers.get("ETag"), f"{method} {path} {status} without an ETag"
        if status == "429":
            assert int(response.headers["Retry-After"]) > 0
        content = documented[status].get("content")
        if not content:
            assert not response.get_data(), f"{method} {path} {status} has a body"
            return
        [(media_type, described)] = content.items()
        assert response.mimetype == media_type, (method, path, status, response.mimetype)
        schema = {**described["schema"], "components": self.document["components"]}
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(
            json.loads(response.get_data())
        )
