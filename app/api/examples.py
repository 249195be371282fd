"""Every operation of the document, with a curl and a Python example made from it."""

import json
import re
from dataclasses import dataclass

BASE = "https://desk.example.com"
METHODS = ("get", "post", "patch", "put", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    id: str
    summary: str
    description: str
    tag: str
    parameters: list
    body: dict | None
    responses: dict
    curl: str
    python: str


def operations(document: dict) -> list[Operation]:
    found = []
    for path, entries in document["paths"].items():
        for method in METHODS:
            if method in entries:
                found.append(describe(document, method, path, entries[method]))
    return sorted(found, key=lambda op: (op.tag, op.path, METHODS.index(op.method)))


def describe(document: dict, method: str, path: str, entry: dict) -> Operation:
    body = example_body(document, entry)
    return Operation(
        method=method,
        path=path,
        id=entry["operationId"],
        summary=entry.get("summary", ""),
        description=entry.get("description", ""),
        tag=(entry.get("tags") or [""])[0],
        parameters=entry.get("parameters", []),
        body=body,
        responses=entry.get("responses", {}),
        curl=curl_example(method, path, body),
        python=python_example(method, path, body),
    )


def example_body(document: dict, entry: dict) -> dict | None:
    schema = entry.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = schema.get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    examples = schema.get("examples")
    return examples[0] if examples else None


def concrete(path: str) -> str:
    """For the shell: each path parameter as a variable, {order_id} → $ORDER_ID."""
    return re.sub(r"\{(\w+)\}", lambda m: "$" + m.group(1).upper(), path)


def curl_example(method: str, path: str, body: dict | None) -> str:
    lines = [
        f'curl -X {method.upper()} "{BASE}{concrete(path)}"',
        '-H "Authorization: Bearer $CTM_TOKEN"',
    ]
    if method == "post":
        lines.append('-H "Idempotency-Key: $(uuidgen)"')
    if body is not None:
        lines.append('-H "Content-Type: application/json"')
        lines.append(f"-d '{json.dumps(body, ensure_ascii=False)}'")
    return " \\\n  ".join(lines)


def python_example(method: str, path: str, body: dict | None) -> str:
    url = path  # its parameters, e.g. {order_id}, are the f-string's variables
    formatted = "f" if "{" in url else ""
    lines = [
        "import os, uuid, requests",
        "",
        'headers = {"Authorization": "Bearer " + os.environ["CTM_TOKEN"]}',
    ]
    if method == "post":
        lines.append('headers["Idempotency-Key"] = str(uuid.uuid4())')
    args = f'{formatted}"{BASE}{url}", headers=headers'
    if body is not None:
        args += f", json={body!r}"
    lines.append(f"response = requests.{method}({args}, timeout=10)")
    lines.append("response.raise_for_status()")
    if method != "delete":
        lines.append("print(response.json())")
    return "\n".join(lines)
