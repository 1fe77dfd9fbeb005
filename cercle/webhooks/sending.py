"""Where a webhook may go, and one signed POST to it.

An endpoint's address is `https://` on the public internet: every address its name
resolves to is checked with the library's SSRF rules (`knowledge.fetch`), and the
connection is pinned to the address checked, so that a name cannot resolve to a
public address for the check and a private one for the request. Redirects are not
followed (a receiver answers where it was registered).

`CERCLE_WEBHOOKS_ALLOW_PRIVATE` (or `CERCLE_DEBUG`) also allows addresses on the
local network and the machine itself, and plain `http://` to the machine itself
(loopback): for receivers on an intranet, for development and for the tests.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from cercle.knowledge.fetch import FetchError, IPAddress, is_public_address, resolve

CONNECT_TIMEOUT = 5.0
TIMEOUT = 10.0  # for the whole answer
MAX_RESPONSE = 500  # characters of the answer kept in the log
USER_AGENT = "Cercle-Webhooks/1"


class Refused(Exception):
    """An address Cercle does not send to, with the reason said to people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def private_allowed() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE or settings.DEBUG)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str) -> Target:
    """The parts of `url`, or `Refused` when it is no address a webhook may have (its
    name is not resolved here: see `checked`)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise Refused(_("This is not a valid web address.")) from error
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host or parts.username or parts.password:
        raise Refused(_("Give an address starting with https://."))
    if parts.scheme == "http" and not private_allowed():
        raise Refused(_("Give an address starting with https://."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def _allowed(address: IPAddress, scheme: str) -> bool:
    if scheme == "http":
        return private_allowed() and address.is_loopback
    return is_public_address(address) or private_allowed()


def checked(url: str) -> tuple[Target, IPAddress]:
    """The target of `url` and the address to connect to, after checking every address
    its name resolves to; `Refused` otherwise."""
    target = parse(url)
    try:
        literal: IPAddress | None = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    try:
        addresses = [literal] if literal is not None else resolve(target.host, target.port)
    except FetchError as error:
        raise Refused(str(error)) from error
    if not addresses:
        raise Refused(_("The address of this site could not be found."))
    for address in addresses:
        if not _allowed(address, target.scheme):
            if target.scheme == "http":
                raise Refused(_("Give an address starting with https://."))
            raise Refused(
                _("This address is not on the public internet: Cercle does not send to it.")
            )
    return target, addresses[0]


def _socket_to(address: IPAddress, port: int) -> socket.socket:
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT)
        sock.connect((str(address), port))
        sock.settimeout(TIMEOUT)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, address: IPAddress) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT)
        self.pinned = address

    def connect(self) -> None:
        self.sock = _socket_to(self.pinned, self.port)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: IPAddress) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=TIMEOUT, context=self.tls)
        self.pinned = address

    def connect(self) -> None:
        # The certificate is checked against the name; the socket goes to the address
        # that was checked.
        raw = _socket_to(self.pinned, self.port)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, unreachable, timed out)
    body: str
    error: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` with `headers`; never raises for what the network does."""
    try:
        target, address = checked(url)
    except Refused as refusal:
        return Answer(None, "", refusal.message)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPS(target, address) if target.scheme == "https" else _PinnedHTTP(target, address)
    )
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        response = connection.getresponse()
        text = response.read(MAX_RESPONSE * 4).decode("utf-8", "replace")[:MAX_RESPONSE]
        return Answer(response.status, text, "")
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, "", (str(error) or type(error).__name__)[:300])
    finally:
        connection.close()
