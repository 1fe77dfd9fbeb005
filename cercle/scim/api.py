"""The SCIM 2.0 endpoint, /scim/v2/: a Django view that hands each request to
scim2-server's handler over Cercle's storage. Bearer tokens only (no session, no
CSRF: a directory is not a browser)."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import Context, SCIMException, UnauthorizedException
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.routing import Operation
from scim2_server.service import ScimService, scim_exception_of

from cercle.scim import actions
from cercle.scim.resources import provider
from cercle.scim.storage import CercleStorage

logger = logging.getLogger("cercle.scim")

# The largest request body read (a group of some thousand members fits).
MAX_BODY = 2 * 1024 * 1024


class CercleService(ScimService):
    """scim2-server's protocol, with one leniency: a person sent without `emails`
    whose userName is an address gets that address (Microsoft Entra ID leaves
    `emails` out when a person has no `mail`)."""

    def decode_body(self, body: bytes, content_type: str | None) -> Any:
        payload = super().decode_body(body, content_type)
        if isinstance(payload, dict) and isinstance(payload.get("Operations"), list):
            payload["Operations"] = _entra_removals(payload["Operations"])
        if isinstance(payload, dict) and not payload.get("emails"):
            user_name = payload.get("userName")
            if isinstance(user_name, str) and "urn:ietf:params:scim:schemas:core:2.0:User" in (
                payload.get("schemas") or []
            ):
                try:
                    validate_email(user_name)
                except DjangoValidationError:
                    return payload
                payload["emails"] = [{"value": user_name, "primary": True}]
        return payload

    def read_body(
        self, model: Any, body: bytes, content_type: str | None, scim_ctx: Context
    ) -> Any:
        # Validated from the decoded JSON, so that the leniencies of `decode_body` apply.
        payload = self.decode_body(body, content_type)
        try:
            return model.model_validate(payload, scim_ctx=scim_ctx)
        except ValidationError as exception:
            raise scim_exception_of(exception) from exception

    def max_body_size(self, request: ScimRequest) -> int | None:
        return MAX_BODY

    def patch_response(
        self, base_url: str, resource: Any, response_parameters: Any
    ) -> ScimResponse:
        # 200 with the resource (RFC 7644, 3.5.2), which Okta expects, rather than 204.
        return self.resource_response(
            self.publish(base_url, resource),
            Context.RESOURCE_REPLACEMENT_RESPONSE,
            response_parameters,
        )


def _entra_removals(operations: list[Any]) -> list[Any]:
    """Microsoft Entra ID removes group members with a value, `{"op": "Remove", "path":
    "members", "value": [{"value": "id"}]}`, where RFC 7644 (3.5.2.2) puts a filter in
    the path: each such value becomes the filtered removal it means."""
    rewritten: list[Any] = []
    for operation in operations:
        value = operation.get("value") if isinstance(operation, dict) else None
        path = operation.get("path") if isinstance(operation, dict) else None
        if (
            str(operation.get("op", "")).lower() == "remove"
            and isinstance(path, str)
            and "[" not in path
            and isinstance(value, list)
            and value
            and all(isinstance(item, dict) and isinstance(item.get("value"), str) for item in value)
        ):
            rewritten.extend(
                {"op": "remove", "path": f"{path}[value eq {json.dumps(item['value'])}]"}
                for item in value
            )
        else:
            rewritten.append(operation)
    return rewritten


_SERVICE: CercleService | None = None


def service() -> CercleService:
    global _SERVICE  # noqa: PLW0603 - built once, immutable
    if _SERVICE is None:
        _SERVICE = CercleService(provider())
    return _SERVICE


def _scim_request(request: HttpRequest, path: str) -> ScimRequest:
    base_url = request.build_absolute_uri(reverse("scim:root")).rstrip("/")
    headers = dict(request.headers.items())
    return ScimRequest(
        method=request.method or "GET",
        base_url=base_url,
        path="/" + path.removesuffix(".scim"),
        query={key: request.GET[key] for key in request.GET},
        headers=headers,
        body=request.body[: MAX_BODY + 1],
    )


def _http_response(response: ScimResponse) -> HttpResponse:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    http = HttpResponse(body, status=response.status.value)
    for key, value in response.headers.items():
        http[key] = value
    if response.body is None:
        del http["Content-Type"]
    return http


def _authenticate(scim_request: ScimRequest) -> Any:
    scheme, _, secret = (scim_request.header("Authorization") or "").partition(" ")
    token = actions.authenticate_token(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise UnauthorizedException(detail="A valid bearer token is required")
    return token


@csrf_exempt
def endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    scim = service()
    scim_request = _scim_request(request, path)
    try:
        target = scim.match(scim_request)
        if target.operation is not Operation.service_provider_config:
            scim_request.subject = _authenticate(scim_request)
        response = ScimHandler(scim, CercleStorage()).handle(scim_request)
    except SCIMException as exception:
        logger.info("scim %s %s: %s", request.method, path, exception)
        response = scim.error_response(exception)
    except Exception as exception:  # a bug: answered as a SCIM error, and logged
        logger.exception("scim %s %s", request.method, path)
        response = scim.error_response(exception)
    if response.status == HTTPStatus.UNAUTHORIZED:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="SCIM"')
    response.headers.setdefault("Cache-Control", "no-store")
    return _http_response(response)
