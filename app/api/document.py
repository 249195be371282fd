"""GET /api/v1/openapi.json: the OpenAPI 3.1 document, made by SpecTree from the operations'
models and docstrings (it cannot drift from the code), with the problem media type set."""

import copy
import json

from flask import Response, current_app

from app.api.etags import read_response
from app.api.spec import bp, spec

PROBLEM_MEDIA_TYPE = "application/problem+json"


def document() -> dict:
    """The document, built once per app."""
    cached = current_app.extensions.get("api_document")
    if cached is None:
        cached = current_app.extensions["api_document"] = finish(copy.deepcopy(spec.spec))
    return cached


def finish(built: dict) -> dict:
    """Problem answers as application/problem+json; no body on 204 and 304."""
    for operations in built["paths"].values():
        for operation in operations.values():
            for status, answer in operation["responses"].items():
                content = answer.get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                if schema.get("$ref", "").split("/")[-1].startswith("Problem"):
                    answer["content"] = {PROBLEM_MEDIA_TYPE: content["application/json"]}
                if status in ("204", "304"):
                    answer.pop("content", None)
    return without_null_defaults(built)


def without_null_defaults(node):
    """Drop `"default": null` where null is not allowed (optional parameters and fields)."""
    if isinstance(node, dict):
        return {
            k: without_null_defaults(v)
            for k, v in node.items()
            if not (k == "default" and v is None)
        }
    if isinstance(node, list):
        return [without_null_defaults(v) for v in node]
    return node


class Raw:
    """A prepared JSON body for `read_response`, which expects a pydantic model."""

    def __init__(self, text: str):
        self.text = text

    def model_dump_json(self) -> str:
        return self.text


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return read_response(Raw(json.dumps(document(), ensure_ascii=False)))
