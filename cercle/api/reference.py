"""The API reference page's content, read from the OpenAPI spec the code generates:
operations grouped by tag, each with its method, path, summary, parameters, request
and response schemas, and how it authenticates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cercle.api.core import api

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Parameter:
    name: str
    where: str
    required: bool
    type: str
    description: str


@dataclass
class Answer:
    status: str
    description: str
    schema: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[Parameter] = field(default_factory=list)
    request_schema: str = ""
    answers: list[Answer] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)


@dataclass
class Tag:
    name: str
    operations: list[Operation]


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"[{_schema_name(schema.get('items'))}]"
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return " | ".join(_schema_name(part) for part in schema[combined])
    return str(schema.get("type", ""))


def _content_schema(body: dict[str, Any] | None) -> str:
    for media in (body or {}).get("content", {}).values():
        return _schema_name(media.get("schema"))
    return ""


def reference_page() -> dict[str, Any]:
    spec = api.get_openapi_schema(path_prefix="/api/v1")
    tags: dict[str, list[Operation]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            found = Operation(
                method=method.upper(),
                path=path,
                summary=operation.get("summary", ""),
                description=operation.get("description", ""),
                anchor=operation.get("operationId", f"{method}-{path}"),
                parameters=[
                    Parameter(
                        name=parameter["name"],
                        where=parameter.get("in", ""),
                        required=bool(parameter.get("required")),
                        type=_schema_name(parameter.get("schema")),
                        description=parameter.get("description", ""),
                    )
                    for parameter in operation.get("parameters", [])
                ],
                request_schema=_content_schema(operation.get("requestBody")),
                answers=[
                    Answer(
                        status=status,
                        description=answer.get("description", ""),
                        schema=_content_schema(answer),
                    )
                    for status, answer in sorted(
                        operation.get("responses", {}).items(), key=lambda item: str(item[0])
                    )
                ],
                auth=sorted({name for need in operation.get("security", []) for name in need}),
            )
            for tag in operation.get("tags", ["api"]):
                tags.setdefault(tag, []).append(found)
    schemas = spec.get("components", {}).get("schemas", {})
    return {
        "spec_title": spec.get("info", {}).get("title", ""),
        "spec_version": spec.get("openapi", ""),
        "tags": [Tag(name, operations) for name, operations in sorted(tags.items())],
        "schema_names": sorted(schemas),
        "security_schemes": spec.get("components", {}).get("securitySchemes", {}),
    }
