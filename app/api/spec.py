"""The blueprint, the SpecTree that validates requests and writes the document, and `operation`,
the one decorator an operation needs: its method and path, its models, whether it writes."""

from flask import Blueprint, current_app
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree, Tag
from spectree.plugins.flask_plugin import FlaskPlugin

from app.api.schemas import Problem
from app.problems import invalid_fields

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
WRITE_ENDPOINTS: set[str] = set()  # endpoints a read-only token may not call
# Every operation can answer these.
COMMON_PROBLEMS = (400, 401, 414, 429, 503)
BODY_PROBLEMS = (413, 415)  # where a body may be sent


def refuse_invalid(request, response, validation_error, instance, model_adapter=None) -> None:
    """SpecTree's hook after validating a request: invalid input becomes our problem details."""
    if validation_error is not None:
        raise invalid_fields(validation_error.errors(include_url=False))


class FlaskWithResponseCheck(FlaskPlugin):
    """SpecTree's Flask plugin, checking each answer against its documented model only where
    API_CHECK_RESPONSES is set (the tests, which also check every answer against the document
    itself): elsewhere an answer made from the same models would be parsed and validated again
    for nothing, on every request."""

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        check = current_app.config["API_CHECK_RESPONSES"]
        skip = skip_validation or not check
        return super().validate_response(resp, resp_model, skip, force_resp_serialize)


spec = SpecTree(
    "flask",
    backend=FlaskWithResponseCheck,
    mode="strict",
    title="Click to Mice API",
    version="1.0.0",
    description="Order from the catalog and follow your orders from your own systems.",
    before=refuse_invalid,
    validation_error_status=422,
    security_schemes=[
        SecurityScheme(
            name="bearerAuth",
            data=SecuritySchemeData(
                type="http", scheme="bearer", description="A personal API token."
            ),
        )
    ],
    security={"bearerAuth": []},
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)


class ReadHeaders(BaseModel):
    if_none_match: str | SkipJsonSchema[None] = Field(None, alias="If-None-Match", max_length=1000)


class PostHeaders(BaseModel):
    idempotency_key: str | SkipJsonSchema[None] = Field(
        None,
        alias="Idempotency-Key",
        max_length=255,
        description="Retry safely: the same key and request replay the first answer for 24 h.",
    )


class ChangeHeaders(BaseModel):
    if_match: str | SkipJsonSchema[None] = Field(
        None,
        alias="If-Match",
        max_length=1000,
        description="The ETag of the order as you read it: 412 if it changed since.",
    )


class PostChangeHeaders(PostHeaders, ChangeHeaders):
    pass


def headers_for(method: str, takes_if_match: bool):
    if method == "GET":
        return ReadHeaders
    if method == "POST":
        return PostChangeHeaders if takes_if_match else PostHeaders
    return ChangeHeaders if takes_if_match else None


def operation(
    method: str,
    rule: str,
    *,
    ok: tuple[int, type | None],
    tag: str | Tag,
    query=None,
    body=None,
    problems: tuple[int, ...] = (),
    write: bool = False,
    takes_if_match: bool = False,
):
    """Register `view` at PREFIX + `rule`, validated and documented; its docstring's first line
    is the summary, the rest the description. `ok`: the success status and its model; `tag`: a
    key of TAGS or a SpecTree Tag; `problems`: the statuses it may answer besides the common
    ones; `write`: needs a `read write` token; `takes_if_match`: documents If-Match (the view
    checks it, see etags.checked_revision)."""
    body_problems = BODY_PROBLEMS if method in ("POST", "PUT", "PATCH") else ()
    codes = {f"HTTP_{code}": Problem for code in (*COMMON_PROBLEMS, *body_problems, *problems)}
    if write:
        codes["HTTP_403"] = Problem
    codes["HTTP_422"] = Problem  # invalid fields, headers or path
    extra = {"HTTP_304": None} if method == "GET" else {}
    responses = Response(**{f"HTTP_{ok[0]}": ok[1]}, **extra, **codes)

    def register(view):
        validated = spec.validate(
            query=query,
            json=body,
            headers=headers_for(method, takes_if_match),
            resp=responses,
            tags=[TAGS.get(tag, tag) if isinstance(tag, str) else tag],
            operation_id=view.__name__,
        )(view)
        bp.add_url_rule(rule, view.__name__, validated, methods=[method])
        if write:
            WRITE_ENDPOINTS.add(f"api.{view.__name__}")
        return validated

    return register


TAGS = {
    "catalog": Tag(name="catalog", description="The services you can order."),
    "orders": Tag(name="orders", description="Your orders: drafts, sending, cancelling."),
    "webhooks": Tag(
        name="webhooks", description="Endpoints that hear of your orders' changes, and their log."
    ),
}
