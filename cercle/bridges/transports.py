"""Sending a message to a chat: an HTTPS POST to an incoming webhook (Slack, Teams,
Mattermost), or the Matrix client-server API as the bot account (join the room, then
send an event). Every request has a timeout and follows no redirect; a failure is a
`SendFailed` whose message is recorded on the bridge and shown on its page."""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from cercle.bridges import messages
from cercle.bridges.models import Bridge, Kind

# Seconds a chat has to answer; the worker moves on after that.
TIMEOUT = 10
# What is kept of a chat's answer in an error message.
ANSWER_KEPT = 200


class SendFailed(Exception):
    """The chat did not take the message; the message says why, for the bridges page."""


def loopback_allowed() -> bool:
    """Whether addresses on this machine are accepted (`CERCLE_BRIDGES_ALLOW_LOOPBACK`:
    the tests' local receivers and homeserver; never in production)."""
    return bool(getattr(settings, "CERCLE_BRIDGES_ALLOW_LOOPBACK", False))


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_problem(url: str) -> str:
    """Why `url` may not receive a bridge's messages ("" when it may): HTTPS only, and
    no address on this machine unless `loopback_allowed()`, where plain HTTP is
    accepted too."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return _("Give a full address, starting with https://.")
    if _is_loopback(host):
        if not loopback_allowed():
            return _("An address on this server itself is not accepted.")
        if parts.scheme in {"http", "https"}:
            return ""
    if parts.scheme != "https":
        return _("Only https:// addresses are accepted.")
    return ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A webhook that redirects is refused rather than followed: the message (and a
    # Matrix token) goes to the address the coordinator gave, nowhere else.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _request(method: str, url: str, body: dict[str, Any] | None, token: str = "") -> dict[str, Any]:
    problem = address_problem(url)
    if problem:
        raise SendFailed(problem)
    headers = {"Content-Type": "application/json", "User-Agent": "Cercle chat bridge"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - address_problem allows https (and loopback for tests) only
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            answer = response.read(64_000)
    except urllib.error.HTTPError as error:
        text = error.read(ANSWER_KEPT).decode("utf-8", "replace")
        raise SendFailed(
            _("The chat answered %(status)s: %(answer)s")
            % {"status": error.code, "answer": " ".join(text.split()) or error.reason}
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SendFailed(
            _("The chat could not be reached: %(reason)s") % {"reason": reason}
        ) from error
    try:
        parsed = json.loads(answer) if answer.strip().startswith(b"{") else {}
    except ValueError:
        parsed = {}
    return parsed if isinstance(parsed, dict) else {}


def send(bridge: Bridge, message: messages.Message, *, transaction_id: str) -> None:
    """Post `message` through `bridge`; `SendFailed` when the chat does not take it.
    `transaction_id` makes a Matrix send idempotent (the same id is one event)."""
    if bridge.kind == Kind.SLACK:
        _request("POST", bridge.webhook_url, messages.slack(message))
    elif bridge.kind == Kind.TEAMS:
        _request("POST", bridge.webhook_url, messages.teams(message))
    elif bridge.kind == Kind.MATTERMOST:
        _request("POST", bridge.webhook_url, messages.mattermost(message))
    else:
        send_to_matrix(bridge, messages.matrix(message), transaction_id=transaction_id)


def send_to_matrix(bridge: Bridge, content: dict[str, Any], *, transaction_id: str) -> str:
    """Join the room (accepting the bot's invitation; nothing when already in it), then
    send the event; its id."""
    base = bridge.homeserver_url.rstrip("/") + "/_matrix/client/v3"
    joined = _request("POST", f"{base}/join/{quote(bridge.room, safe='')}", {}, bridge.bot_token)
    room_id = joined.get("room_id")
    if not isinstance(room_id, str) or not room_id:
        raise SendFailed(_("The homeserver did not let the bot join the room."))
    sent = _request(
        "PUT",
        f"{base}/rooms/{quote(room_id, safe='')}/send/m.room.message/"
        f"{quote(transaction_id, safe='')}",
        content,
        bridge.bot_token,
    )
    event_id = sent.get("event_id")
    if not isinstance(event_id, str):
        raise SendFailed(_("The homeserver did not return the message's id."))
    return event_id
