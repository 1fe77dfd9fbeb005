"""The API itself: one django-ninja `NinjaAPI` at /api/v1/, its authentication, and
its errors as problem details. Each resource is a router in `cercle/api/routes/`,
registered in `routes/__init__.py`; endpoints stay thin (read the request, ask the
permissions package, call ONE action or query, return a schema), as views do.

Why django-ninja rather than Django REST framework (docs/api.md): its schemas are
pydantic models, so the types mypy checks, the validation and the OpenAPI 3.1 spec
are one declaration; it is several times faster per request than DRF's serializers
and needs no second schema generator (drf-spectacular) to describe itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from cercle.api.auth import AUTH
from cercle.api.problems import PROBLEM_TYPE, ApiError, ProblemOut, problem
from cercle.api.routes import ROUTERS
from cercle.errors import ActionRefused

logger = logging.getLogger(__name__)

# The answers every authenticated operation may give whatever it does: a malformed
# request (400), who calls is unknown (401), the token's scopes do not allow it (403),
# a parameter or field not valid (422), too many requests (429); with parameters in the
# path, nothing there (404); and for writes, the first request with the same
# idempotency key still running (409).
ALWAYS = {
    400: "Bad request",
    401: "Authentication needed",
    403: "Not allowed",
    422: "Refused",
    429: "Too many requests",
}
WITH_PATH_PARAMETERS = {404: "Not found"}
ON_WRITES = {409: "Conflict"}
SAFE = {"get", "head", "options"}


def _problem_schema(schema: OpenAPISchema) -> dict[str, Any]:
    """A reference to ProblemOut, adding it to the components when no endpoint did."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ProblemOut" not in components:
        found = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components["ProblemOut"] = found
    return {"$ref": "#/components/schemas/ProblemOut"}


def honest(schema: OpenAPISchema) -> OpenAPISchema:
    """The spec as the API really answers: errors as `application/problem+json`, the
    errors every operation may give declared on each, and 304 on reads (ETag)."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if operation.get("security"):
                extra = dict(ALWAYS)
                if method not in SAFE:
                    extra.update(ON_WRITES)
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    extra.update(WITH_PATH_PARAMETERS)
                present = {int(status) for status in responses}
                for status, description in extra.items():
                    if status not in present:
                        responses[status] = {
                            "description": description,
                            "content": {PROBLEM_TYPE: {"schema": _problem_schema(schema)}},
                        }
            if method == "get" and 304 not in {int(status) for status in responses}:
                responses[304] = {"description": "Not modified: the ETag sent still matches."}
            for status, answer in responses.items():
                content = answer.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_TYPE] = content.pop("application/json")
    return schema


class CercleApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        return honest(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return problem(request, exc.status, exc.detail, **exc.extra)


def _refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
    if exc.not_found:
        return problem(request, 404)
    return problem(request, 422, exc.message)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404)


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        401,
        _("Send a personal access token or an OAuth access token: Authorization: Bearer …"),
        headers={"WWW-Authenticate": 'Bearer realm="cercle"'},
    )


def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    return problem(request, 422, _("Some fields are not valid."), errors=errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in str(exc):
        return problem(request, 403, _("The CSRF token is missing or wrong: reload the page."))
    return problem(request, exc.status_code, str(exc) if exc.status_code < 500 else "")


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(request, 500)


HANDLERS: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
    ApiError: _api_error,
    ActionRefused: _refused,
    Http404: _not_found,
    AuthenticationError: _unauthenticated,
    NinjaValidationError: _invalid,
    HttpError: _http_error,
    Exception: _server_error,
}


def new_api(**options: Any) -> CercleApi:
    """A NinjaAPI with Cercle's authentication and problem details (the tests make a
    second one for endpoints that exist only in tests)."""
    made = CercleApi(auth=AUTH, docs_url=None, **options)
    for exception, handler in HANDLERS.items():
        made.add_exception_handler(exception, handler)
    return made


api = new_api(
    title="Cercle API",
    version="1",
    description=(
        "The public REST API of Cercle, a platform for communities of practice. "
        "It acts as the person whose token it uses, through the same permissions as "
        "the pages. See docs/api.md."
    ),
    urls_namespace="api",
)


for _prefix, _router in ROUTERS:
    api.add_router(_prefix, _router)
