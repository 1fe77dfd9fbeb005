"""The link preview fetcher: it refuses every non-public address, on every hop, and
reads a real (local) server within its limits. No traffic leaves 127.0.0.1."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cercle.knowledge import fetch

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'>"
    "<title>  Vélos   cargo </title>"
    '<meta name="description" content="Porter plus, rouler moins.">'
    '<meta property="og:title" content="Cargo bikes &amp; friends">'
    "</head><body>Hello</body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        _Handler.hosts.append(self.headers.get("Host", ""))
        port = self.server.server_port  # type: ignore[attr-defined]
        if self.path == "/page":
            self._send(200, PAGE.encode())
        elif self.path == "/plain":
            self._send(200, b"<title>no</title>", "application/json")
        elif self.path == "/big":
            body = b"<html><head><title>Big</title></head><body>" + b"x" * (3 * 1024 * 1024)
            self._send(200, body)
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(50):
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass  # the fetcher gave up and closed the connection, as it should
        elif self.path == "/to-page":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
        elif self.path == "/to-loopback":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{port}/page")
            self.end_headers()
        elif self.path == "/to-metadata":
            self.send_response(301)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self._send(404, b"")


@pytest.fixture
def local_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.hosts = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (and only it) as public, so the local server stands for a site."""
    strict = fetch.is_public_address
    local = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(
        fetch, "is_public_address", lambda address: address == local or strict(address)
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://127.0.0.1/",
        "http://127.1/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
    ],
)
def test_it_refuses_non_public_addresses(url: str) -> None:
    with pytest.raises(fetch.FetchError, match="not on the public internet"):
        fetch.fetch_metadata(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "javascript:alert(1)", "http://u:p@x.org/"]
)
def test_it_refuses_other_schemes_and_credentials(url: str) -> None:
    with pytest.raises(fetch.FetchError):
        fetch.fetch_metadata(url)


def test_it_accepts_public_addresses() -> None:
    for text in ("93.184.216.34", "2606:4700::1111", "1.1.1.1"):
        assert fetch.is_public_address(ipaddress.ip_address(text))


def test_it_refuses_a_public_name_that_resolves_to_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        # One public address and one loopback: a single bad address is enough to refuse.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(fetch.FetchError, match="not on the public internet"):
        fetch.fetch_metadata("https://innocent.example/")


def test_it_reads_the_title_and_description_of_a_page(local_server: int, allow_local: None) -> None:
    page = fetch.fetch_metadata(f"http://127.0.0.1:{local_server}/page")
    assert page.title == "Cargo bikes & friends"
    assert page.description == "Porter plus, rouler moins."
    assert not page.truncated


def test_it_falls_back_to_the_title_element() -> None:
    assert fetch.parse_metadata("<title>\n A  page </title>") == ("A page", "")


def test_it_follows_a_redirect_to_an_allowed_address(local_server: int, allow_local: None) -> None:
    page = fetch.fetch_metadata(f"http://127.0.0.1:{local_server}/to-page")
    assert page.url == f"http://127.0.0.1:{local_server}/page"
    assert page.title == "Cargo bikes & friends"


@pytest.mark.parametrize("path", ["/to-loopback", "/to-metadata"])
def test_it_refuses_a_redirect_to_a_private_address(
    local_server: int, allow_local: None, path: str
) -> None:
    with pytest.raises(fetch.FetchError, match="not on the public internet"):
        fetch.fetch_metadata(f"http://127.0.0.1:{local_server}{path}")
    assert len(_Handler.hosts) == 1  # the redirect target was never contacted


def test_it_follows_three_redirects_at_most(local_server: int, allow_local: None) -> None:
    with pytest.raises(fetch.FetchError, match="redirected more than 3 times"):
        fetch.fetch_metadata(f"http://127.0.0.1:{local_server}/loop")
    assert len(_Handler.hosts) == 4


def test_it_connects_to_the_checked_address_with_the_name_in_the_host_header(
    local_server: int, allow_local: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["127.0.0.1", "10.0.0.1"])  # a rebinding resolver: the second answer lies

    def rebinding(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    page = fetch.fetch_metadata(f"http://site.example:{local_server}/page")
    assert page.title == "Cargo bikes & friends"
    assert _Handler.hosts == [f"site.example:{local_server}"]


def test_it_reads_only_html(local_server: int, allow_local: None) -> None:
    with pytest.raises(fetch.FetchError, match="not a web page"):
        fetch.fetch_metadata(f"http://127.0.0.1:{local_server}/plain")


def test_it_reads_one_megabyte_at_most(local_server: int, allow_local: None) -> None:
    page = fetch.fetch_metadata(f"http://127.0.0.1:{local_server}/big")
    assert page.title == "Big"
    assert page.truncated


def test_it_gives_up_on_a_slow_site(local_server: int, allow_local: None) -> None:
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match="too long"):
        fetch.fetch_metadata(f"http://127.0.0.1:{local_server}/drip", total_timeout=0.5)
    assert time.monotonic() - started < 2
