"""Helpers for tests of the API: a personal access token made through the same action
as the account page, and a client that sends it (`Authorization: Bearer`).

    token = make_token(alice)                      # read and write
    response = api_get(token, "/communities")      # /api/v1 is added
    response = api_post(token, "/topics", {"title": "..."}, idempotency_key="k1")
    assert response.status_code == 201, response.json()

Paths may be given with or without the /api/v1 prefix. Bodies are sent as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.test import Client

from cercle.accounts.models import User
from cercle.api.actions import do_create_token
from cercle.api.caller import Scope
from cercle.communities.models import Community

PREFIX = "/api/v1"


def make_token(
    person: User,
    scopes: Iterable[str] = ("read", "write"),
    communities: Iterable[Community] | None = None,
    *,
    days: int = 90,
    name: str = "test token",
) -> str:
    """A personal access token of `person` with `scopes` ("read", "write", "admin");
    `communities` limits an admin scope to those the person coordinates."""
    chosen = [Scope(scope).value for scope in scopes]
    _token, secret = do_create_token(
        person, name=name, scopes=chosen, days=days, admin_communities=communities or ()
    )
    return secret


def url(path: str) -> str:
    return (
        path if path.startswith(PREFIX) else PREFIX + (path if path.startswith("/") else "/" + path)
    )


class ApiClient:
    """A Django test client calling the API with a bearer token (or none: `token=""`)."""

    def __init__(self, token: str = "", *, language: str = "") -> None:
        self.client = Client()
        self.token = token
        self.language = language

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        sent: dict[str, str] = {}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if self.language:
            sent["Accept-Language"] = self.language
        sent.update(extra or {})
        return sent

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(url(path), params or {}, headers=self.headers(headers))

    def _send(
        self,
        method: str,
        path: str,
        body: Any = None,
        idempotency_key: str = "",
        headers: dict[str, str] | None = None,
    ) -> Any:
        extra = dict(headers or {})
        if idempotency_key:
            extra["Idempotency-Key"] = idempotency_key
        send = getattr(self.client, method)
        return send(
            url(path),
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=self.headers(extra),
        )

    def post(
        self, path: str, body: Any = None, *, idempotency_key: str = "", **headers: str
    ) -> Any:
        return self._send("post", path, body, idempotency_key, headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("put", path, body, "", headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("patch", path, body, "", headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._send("delete", path, None, "", headers)


def api_get(token: str, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
    return ApiClient(token).get(path, params, **headers)


def api_post(
    token: str, path: str, body: Any = None, *, idempotency_key: str = "", **headers: str
) -> Any:
    return ApiClient(token).post(path, body, idempotency_key=idempotency_key, **headers)


def api_put(token: str, path: str, body: Any = None, **headers: str) -> Any:
    return ApiClient(token).put(path, body, **headers)


def api_patch(token: str, path: str, body: Any = None, **headers: str) -> Any:
    return ApiClient(token).patch(path, body, **headers)


def api_delete(token: str, path: str, **headers: str) -> Any:
    return ApiClient(token).delete(path, **headers)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem (RFC 9457) with `status`; its body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status, body
    assert body["title"], body
    return body
