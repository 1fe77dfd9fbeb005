"""Fetching a web page's title and description for a link resource, safely.

The server fetches a URL a member typed: without care that is a server-side
request forgery (SSRF) hole, letting anyone probe the instance's own network or a
cloud metadata endpoint. So:

- only http and https, on any port, with connect and total time limits;
- every hop's host name is resolved here, and every address it resolves to must be
  public (`is_public_address`: no loopback, private, link-local, multicast,
  reserved, unspecified or shared address, IPv4 or IPv6, IPv4-mapped included);
- the connection goes to the address that was checked (pinned), with the name sent
  in the Host header and for TLS (SNI and certificate check), so DNS rebinding
  cannot switch addresses between the check and the connection;
- redirects are followed by hand, at most `MAX_REDIRECTS`, each one re-checked;
- only `text/html` is read, and at most `MAX_BYTES` of it.

`is_public_address` and `resolve` are module-level so tests can widen the first to
a local server on 127.0.0.1 and simulate DNS with the second.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
MAX_BYTES = 1024 * 1024
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
USER_AGENT = "Cercle link preview (+https://github.com/)"
_CHUNK = 16 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}
# IPv6 translators that reach the IPv4 address in the low 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The page could not, or may not, be fetched; `message` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class PageMetadata:
    url: str  # the final URL, after redirects
    title: str
    description: str
    truncated: bool  # the page was longer than MAX_BYTES: only its start was read


def is_public_address(address: IPAddress) -> bool:
    """True for an address on the public internet, and nothing the server can reach privately."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return (
        not (
            address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
            or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        )
        and address.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(_("The address of this site could not be found.")) from error
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        # An IPv6 scope ("%eth0") is not part of the address.
        addresses.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    return addresses


def checked_address(host: str, port: int) -> IPAddress:
    """The address to connect to, after checking every address `host` resolves to."""
    addresses = resolve(host, port)
    if not addresses:
        raise FetchError(_("The address of this site could not be found."))
    for address in addresses:
        # This module's name is looked up at call time, so tests may widen it.
        if not is_public_address(address):
            raise FetchError(
                _("This address is not on the public internet: Cercle does not fetch it.")
            )
    return addresses[0]


def _connect(address: IPAddress, port: int, timeout: float | None) -> socket.socket:
    """A socket to exactly `address`: no name resolution happens here at all."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned = address

    def connect(self) -> None:
        self.sock = _connect(self.pinned, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.pinned = address

    def connect(self) -> None:
        raw = _connect(self.pinned, self.port, self.timeout)
        # The certificate is checked against the name, while the socket goes to the
        # address that was checked.
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(_("This is not a valid web address.")) from error
    if parts.scheme not in {"http", "https"}:
        raise FetchError(_("Only http and https addresses can be fetched."))
    host = parts.hostname or ""
    if not host or parts.username or parts.password:
        raise FetchError(_("This is not a valid web address."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(_("The site took too long to answer."))
    return left


def fetch_metadata(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
) -> PageMetadata:
    """The title and description of the HTML page at `url`, or FetchError."""
    deadline = time.monotonic() + total_timeout
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, path = _split(url)
        address = checked_address(host, port)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(
            host, port, address, timeout=min(connect_timeout, _remaining(deadline))
        )
        try:
            try:
                connection.request(
                    "GET",
                    path,
                    headers={
                        "User-Agent": USER_AGENT,
                        "Accept": "text/html,application/xhtml+xml;q=0.9",
                        "Accept-Encoding": "identity",
                    },
                )
                # Kept: the connection forgets its socket once the response owns it.
                sock = connection.sock
                if sock is not None:
                    sock.settimeout(_remaining(deadline))
                response = connection.getresponse()
                if response.status in _REDIRECTS:
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(_("The site answered with a redirect to nowhere."))
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FetchError(
                        _("The site answered with the error %(status)d.")
                        % {"status": response.status}
                    )
                content_type = response.getheader("Content-Type", "")
                if content_type.split(";", 1)[0].strip().lower() != "text/html":
                    raise FetchError(_("This address is not a web page (HTML)."))
                body, truncated = _read(response, sock, max_bytes, deadline)
            except (OSError, http.client.HTTPException) as error:
                if isinstance(error, TimeoutError | socket.timeout):
                    raise FetchError(_("The site took too long to answer.")) from error
                raise FetchError(_("The site could not be reached.")) from error
        finally:
            connection.close()
        title, description = parse_metadata(_decode(body, content_type))
        return PageMetadata(url=url, title=title, description=description, truncated=truncated)
    raise FetchError(_("The site redirected more than %(count)d times.") % {"count": MAX_REDIRECTS})


def _read(
    response: http.client.HTTPResponse,
    sock: socket.socket | None,
    max_bytes: int,
    deadline: float,
) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        left = _remaining(deadline)
        if sock is not None:
            sock.settimeout(left)
        chunk = response.read1(min(_CHUNK, max_bytes - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    # Read one byte more to tell "exactly max_bytes long" from "longer".
    return b"".join(chunks), bool(response.read(1))


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def _decode(body: bytes, content_type: str) -> str:
    charset = ""
    match = re.search(r"charset=[\"']?([A-Za-z0-9_\-]+)", content_type, re.IGNORECASE)
    if match:
        charset = match.group(1)
    else:
        found = _META_CHARSET.search(body[:4096])
        if found:
            charset = found.group(1).decode("ascii")
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


class _MetadataParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_title = False
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.title_parts:
            self.in_title = True
        elif tag == "meta":
            values = {name: value or "" for name, value in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key in {"og:title", "og:description", "description"} and key not in self.meta:
                self.meta[key] = values.get("content", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def parse_metadata(html: str) -> tuple[str, str]:
    """(title, description) of an HTML page: Open Graph first, then <title> and
    <meta name="description">."""
    parser = _MetadataParser()
    parser.feed(html)
    parser.close()
    title = _clean(parser.meta.get("og:title", ""), 300) or _clean("".join(parser.title_parts), 300)
    description = _clean(
        parser.meta.get("og:description", "") or parser.meta.get("description", ""), 2000
    )
    return title, description
