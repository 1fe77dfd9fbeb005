"""A real OpenID Connect provider for the tests: `oidc-provider` (npm) run by Node.

tests/idp/oidc/server.mjs configures it; `make test-deps` installs it. The provider is
started once per test module on a free port of 127.0.0.1 with one client whose
redirect URIs are the callbacks of the Django test client (http://testserver) and of
the live server, and stopped at the end. Its people are in a JSON file read again at
every sign-in: `IdentityProvider.set_account` changes a person's groups between two
sign-ins.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest

from cercle.sso.oidc import form_action_origins, openid_connect_apps

SERVER_DIR = Path(__file__).parent / "idp" / "oidc"
PROVIDER_ID = "corp"
CLIENT_ID = "cercle-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def callback_path(provider_id: str = PROVIDER_ID) -> str:
    return f"/accounts/oidc/{provider_id}/login/callback/"


@dataclass
class IdentityProvider:
    issuer: str
    accounts_file: Path
    process: subprocess.Popen[bytes]
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def set_account(
        self,
        account_id: str,
        *,
        email: str,
        name: str,
        groups: list[str] | None = None,
        roles: list[str] | None = None,
        email_verified: bool = True,
    ) -> None:
        self.accounts[account_id] = {
            "email": email,
            "email_verified": email_verified,
            "name": name,
            "groups": list(groups or []),
            "roles": list(roles or []),
        }
        self.accounts_file.write_text(json.dumps(self.accounts))

    def app(self, *, organisation: bool = True, groups_claim: str = "groups") -> dict[str, Any]:
        """The provider as one entry of SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"],
        built the way an operator writes CERCLE_OIDC_PROVIDERS."""
        entry = {
            "id": PROVIDER_ID,
            "name": "Corp identity",
            "server_url": self.issuer,
            "client_id": CLIENT_ID,
            "secret_env": "CERCLE_TEST_OIDC_SECRET",
            "scopes": ["openid", "email", "profile", "groups"],
            "organisation": organisation,
            "groups_claim": groups_claim,
        }
        environ = {
            "CERCLE_OIDC_PROVIDERS": json.dumps([entry]),
            "CERCLE_TEST_OIDC_SECRET": CLIENT_SECRET,
        }
        return openid_connect_apps(environ)[0]


def start_identity_provider(bases: list[str], workdir: Path) -> Iterator[IdentityProvider]:
    node = shutil.which("node")
    if node is None or not (SERVER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The test identity provider is not installed: run `make test-deps`.")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    accounts_file = workdir / "oidc-accounts.json"
    accounts_file.write_text("{}")
    command = [
        node,
        str(SERVER_DIR / "server.mjs"),
        "--port",
        str(port),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--accounts",
        str(accounts_file),
    ]
    for base in bases:
        command += ["--redirect-uri", base.rstrip("/") + callback_path()]
        command += ["--post-logout-redirect-uri", base.rstrip("/") + "/"]
    log = (workdir / "oidc-provider.log").open("wb")
    process = subprocess.Popen(command, cwd=SERVER_DIR, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_discovery(issuer, process, workdir / "oidc-provider.log")
        yield IdentityProvider(issuer=issuer, accounts_file=accounts_file, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    url = f"{issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The OpenID Connect provider stopped: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if json.load(response).get("issuer") == issuer:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.2)
    pytest.fail(f"The OpenID Connect provider did not answer at {url}: {log.read_text()}")


@pytest.fixture(scope="module")
def oidc_idp(
    live_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IdentityProvider]:
    """The provider, whose client accepts the test client's and the live server's callbacks."""
    workdir = tmp_path_factory.mktemp("oidc-idp")
    yield from start_identity_provider(["http://testserver", live_server.url], workdir)


@pytest.fixture
def oidc_settings(settings: Any, oidc_idp: IdentityProvider) -> IdentityProvider:
    """Cercle configured with the provider, as the organisation's (fresh accounts file)."""
    return configure(settings, oidc_idp)


def configure(settings: Any, oidc_idp: IdentityProvider, **app: Any) -> IdentityProvider:
    oidc_idp.accounts = {}
    oidc_idp.accounts_file.write_text("{}")
    apps = [oidc_idp.app(**app)]
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {"APPS": apps, "OAUTH_PKCE_ENABLED": True},
    }
    policy = settings.CONTENT_SECURITY_POLICY
    directives = dict(policy["DIRECTIVES"])
    directives["form-action"] = ["'self'", *form_action_origins(apps)]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    return oidc_idp


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in_at_provider(authorize_url: str, account_id: str) -> str:
    """Go through the provider's log-in page as a browser without JavaScript would
    (its own cookies kept), and return the URL it sends back to Cercle's callback."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )

    def follow(url: str, data: bytes | None = None) -> tuple[int, str, str]:
        try:
            with opener.open(url, data=data, timeout=10) as response:
                return response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location", "")
            return error.code, error.read().decode(), urljoin(url, location)

    url = authorize_url
    posted = False
    for _ in range(10):
        status, body, location = follow(url)
        if status in {302, 303} and location:
            if not location.startswith("http://127.0.0.1"):
                return location
            url = location
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', body)
        if status != 200 or form is None or posted:
            raise AssertionError(f"unexpected page at the provider ({status}): {body[:500]}")
        data = urlencode({"prompt": "login", "login": account_id, "password": "any"}).encode()
        status, body, location = follow(urljoin(url, form.group(1)), data)
        posted = True
        assert status in {302, 303}, body[:500]
        url = location
    raise AssertionError("the provider never sent the person back")
