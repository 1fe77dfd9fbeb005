"""Errors as problem details (RFC 9457): `application/problem+json` with a `title`
in the caller's language, the `status`, and a `detail` that uses the same words as
the pages (an action's refusal says here what it says on the page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from ninja import Schema
from pydantic import ConfigDict

PROBLEM_TYPE = "application/problem+json"

TITLES: dict[int, StrOrPromise] = {
    400: _("Bad request"),
    401: _("Authentication needed"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    413: _("Too large"),
    415: _("Unsupported media type"),
    422: _("Refused"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Server error"),
}


class FieldProblem(Schema):
    location: str
    message: str


class ProblemOut(Schema):
    """A problem (RFC 9457), as every error of the API answers."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    # On a 422 for fields that are not valid: which ones, and why.
    errors: list[FieldProblem] | None = None


# The errors every endpoint declares beside its answers, so that the spec tells the
# truth: `@router.get(..., response={200: TopicOut, **ERRORS})`. The API's core sends
# them as `application/problem+json` (core.py rewrites the spec to say so).
ERRORS: dict[int, type[ProblemOut]] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}


class ApiError(Exception):
    """Raised by an endpoint to answer with a problem: nothing was written."""

    def __init__(self, status: int, detail: StrOrPromise = "", **extra: Any) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail
        self.extra = extra


def problem(
    request: HttpRequest | None,
    status: int,
    detail: StrOrPromise = "",
    *,
    title: StrOrPromise | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(title or TITLES.get(status, _("Error"))),
        "status": status,
    }
    if detail:
        body["detail"] = str(detail)
    if request is not None:
        body["instance"] = request.path
    body.update(extra)
    response = JsonResponse(body, status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
