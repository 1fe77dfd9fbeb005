"""The API reference page's content, read from the OpenAPI spec the code generates:
operations grouped by tag, each with its method, path, summary, parameters, request
and response schemas, and how it authenticates."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.api.core import api
from cercle.api.problems import TITLES

# What each answer means, in the reader's language (the spec says it in English).
REASONS: dict[int, StrOrPromise] = {
    200: _("Done"),
    201: _("Created"),
    202: _("Accepted"),
    204: _("Done, nothing to return"),
    304: _("Not modified: the ETag you sent still matches"),
    **TITLES,
}
AUTH_LABELS: dict[str, StrOrPromise] = {
    "BearerAuth": _("Bearer token (personal access token or OAuth)"),
    "SessionAuth": _("The session of the site, with its CSRF token on writes"),
}
PLACES: dict[str, StrOrPromise] = {
    "path": _("path"),
    "query": _("query"),
    "header": _("header"),
    "cookie": _("cookie"),
}

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
    status: int
    description: str
    schema: str

    @property
    def reason(self) -> StrOrPromise:
        return REASONS.get(self.status, self.description)


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

    @property
    def anchor(self) -> str:
        return f"tag-{self.name}"


@dataclass
class Property:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class SchemaDoc:
    name: str
    description: str
    properties: list[Property]

    @property
    def anchor(self) -> str:
        return f"schema-{self.name}"


def _schema_docs(schemas: dict[str, Any]) -> list[SchemaDoc]:
    found = []
    for name, schema in sorted(schemas.items()):
        required = set(schema.get("required", []))
        found.append(
            SchemaDoc(
                name=name,
                description=schema.get("description", ""),
                properties=[
                    Property(
                        name=field_name,
                        type=_schema_name(field_schema),
                        required=field_name in required,
                        description=field_schema.get("description", ""),
                    )
                    for field_name, field_schema in schema.get("properties", {}).items()
                ],
            )
        )
    return found


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"array of {_schema_name(schema.get('items'))}"
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return " | ".join(_schema_name(part) for part in schema[combined])
    kind = str(schema.get("type", ""))
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if "enum" in schema:
        kind = f"{kind}: " + ", ".join(str(value) for value in schema["enum"])
    return kind


def _content_schema(body: dict[str, Any] | None) -> str:
    for media in (body or {}).get("content", {}).values():
        return _schema_name(media.get("schema"))
    return ""


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    """The spec, built once per process (it changes only with the code)."""
    return dict(api.get_openapi_schema(path_prefix="/api/v1"))


def reference_page() -> dict[str, Any]:
    spec = _spec()
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
                        where=str(PLACES.get(parameter.get("in", ""), parameter.get("in", ""))),
                        required=bool(parameter.get("required")),
                        type=_schema_name(parameter.get("schema")),
                        description=parameter.get("description", ""),
                    )
                    for parameter in operation.get("parameters", [])
                ],
                request_schema=_content_schema(operation.get("requestBody")),
                answers=[
                    Answer(
                        status=int(status),
                        description=answer.get("description", ""),
                        schema=_content_schema(answer),
                    )
                    for status, answer in sorted(
                        operation.get("responses", {}).items(), key=lambda item: str(item[0])
                    )
                ],
                auth=[
                    str(AUTH_LABELS.get(name, name))
                    for name in sorted(
                        {name for need in operation.get("security", []) for name in need}
                    )
                ],
            )
            for tag in operation.get("tags", ["api"]):
                tags.setdefault(tag, []).append(found)
    schemas = spec.get("components", {}).get("schemas", {})
    return {
        "spec_title": spec.get("info", {}).get("title", ""),
        "spec_version": spec.get("openapi", ""),
        "tags": [Tag(name, operations) for name, operations in sorted(tags.items())],
        "schemas": _schema_docs(schemas),
        "security_schemes": spec.get("components", {}).get("securitySchemes", {}),
    }
