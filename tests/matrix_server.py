"""A real Matrix homeserver for the tests: Synapse from PyPI, in its own virtualenv.

`make test-deps` installs it into tests/matrix/.venv from the pinned
tests/matrix/requirements.txt, so that its many dependencies never touch Cercle's. The
session-scoped `matrix_server` fixture writes a configuration (SQLite, a free port of
127.0.0.1, a registration shared secret, no federation, rate limits off), starts the
server, waits for /_matrix/client/versions, and registers two accounts through the
shared-secret admin API: the bridge's bot and a reader, who reads back what the bot
posted. `MatrixServer.create_room` makes a room the reader owns and invites the bot
to; the bridge joins it on its first message, as it would at an organisation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

MATRIX_DIR = Path(__file__).parent / "matrix"
PYTHON = MATRIX_DIR / ".venv" / "bin" / "python"
SERVER_NAME = "cercle.test"
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Account:
    user_id: str
    access_token: str


@dataclass
class MatrixServer:
    url: str
    shared_secret: str
    bot: Account
    reader: Account

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
    ) -> dict[str, Any]:
        return call(self.url, method, path, body, token)

    def create_room(self, alias: str = "") -> str:
        """A private room of the reader's, the bot invited; its id."""
        body: dict[str, Any] = {"preset": "private_chat", "invite": [self.bot.user_id]}
        if alias:
            body["room_alias_name"] = alias
        created = self.call("POST", "/_matrix/client/v3/createRoom", body, self.reader.access_token)
        room_id: str = created["room_id"]
        return room_id

    def messages(self, room_id: str) -> list[dict[str, Any]]:
        """The room's `m.room.message` events, as the reader reads them, oldest first."""
        found = self.call(
            "GET",
            f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/messages?dir=b&limit=50",
            token=self.reader.access_token,
        )
        chunk: list[dict[str, Any]] = found["chunk"]
        return [event for event in reversed(chunk) if event["type"] == "m.room.message"]


def call(
    base: str, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        answer: dict[str, Any] = json.load(response)
        return answer


def register(base: str, shared_secret: str, username: str, *, admin: bool = False) -> Account:
    """An account made through Synapse's shared-secret registration (its admin API)."""
    nonce = call(base, "GET", "/_synapse/admin/v1/register")["nonce"]
    password = secrets.token_urlsafe(16)
    mac = hmac.new(shared_secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, username, password):
        mac.update(part.encode() + b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    made = call(
        base,
        "POST",
        "/_synapse/admin/v1/register",
        {
            "nonce": nonce,
            "username": username,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        },
    )
    return Account(user_id=made["user_id"], access_token=made["access_token"])


def _signing_key() -> str:
    # Synapse's key file format: algorithm, version, unpadded base64 of the seed.
    seed = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    return f"ed25519 a_test {seed}\n"


def write_config(workdir: Path, port: int, shared_secret: str) -> Path:
    (workdir / "signing.key").write_text(_signing_key())
    (workdir / "log.yaml").write_text(
        "version: 1\n"
        "formatters: {plain: {format: '%(asctime)s %(levelname)s %(name)s %(message)s'}}\n"
        "handlers: {file: {class: logging.FileHandler, formatter: plain, "
        f"filename: {workdir / 'homeserver.log'}}}}}\n"
        "root: {level: WARNING, handlers: [file]}\n"
        "disable_existing_loggers: false\n"
    )
    unlimited = {"per_second": 10000, "burst_count": 10000}
    config = {
        "server_name": SERVER_NAME,
        "pid_file": str(workdir / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(workdir / "homeserver.db")}},
        "log_config": str(workdir / "log.yaml"),
        "media_store_path": str(workdir / "media"),
        "signing_key_path": str(workdir / "signing.key"),
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_registration": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        "enable_metrics": False,
        "url_preview_enabled": False,
        "rc_message": unlimited,
        "rc_registration": unlimited,
        "rc_login": {"address": unlimited, "account": unlimited, "failed_attempts": unlimited},
        "rc_joins": {"local": unlimited, "remote": unlimited},
        "rc_joins_per_room": unlimited,
        "rc_invites": {
            "per_room": unlimited,
            "per_user": unlimited,
            "per_issuer": unlimited,
        },
        "rc_admin_redaction": unlimited,
        "rc_3pid_validation": unlimited,
    }
    path = workdir / "homeserver.yaml"
    # JSON is YAML: no YAML writer needed on Cercle's side.
    path.write_text(json.dumps(config, indent=2))
    return path


def _wait_for_versions(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Synapse stopped: {log.read_text()[-3000:]}")
        try:
            if "versions" in call(base, "GET", "/_matrix/client/versions"):
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.2)
    pytest.fail(f"Synapse did not answer at {base}: {log.read_text()[-3000:]}")


def start_matrix_server(workdir: Path) -> Iterator[MatrixServer]:
    if not PYTHON.exists():
        pytest.fail("Synapse is not installed for the tests: run `make test-deps`.")
    port = free_port()
    shared_secret = secrets.token_hex(16)
    config = write_config(workdir, port, shared_secret)
    base = f"http://127.0.0.1:{port}"
    log_path = workdir / "synapse.out"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(PYTHON), "-m", "synapse.app.homeserver", "--config-path", str(config)],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(workdir)},
    )
    try:
        _wait_for_versions(base, process, log_path)
        bot = register(base, shared_secret, "cercle-bot")
        reader = register(base, shared_secret, "reader")
        yield MatrixServer(url=base, shared_secret=shared_secret, bot=bot, reader=reader)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def matrix_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatrixServer]:
    """Synapse on a free port, with a bot and a reader registered."""
    yield from start_matrix_server(tmp_path_factory.mktemp("synapse"))
