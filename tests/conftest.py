"""Fixtures shared by every test: people, clients, a real SMTP server.

The personas follow Healthchecks' habit: Alice is a member, Bob her peer, and
Charlie an outsider; each is built through the same code paths as real accounts.
"""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings
from django.utils import translation

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.membership import actions as community_actions
from tests.cli import operator_env, run_cercle
from tests.communities import PASSWORD, community, make_person
from tests.smtp import SmtpServer

# Tests import these from here too.
__all__ = ["PASSWORD", "make_person"]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords() -> Iterator[None]:
    """Hash passwords with MD5, not Argon2: hundreds of accounts are made, and a slow
    hash tests nothing there. One test keeps Argon2 (tests/test_accounts.py,
    `test_production_settings_hash_passwords_with_argon2`); the servers that tests
    start as subprocesses read the real settings."""
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True, scope="session")
def _static_root() -> None:
    """WhiteNoise looks at STATIC_ROOT at start-up; `make run` fills it, tests need it to exist."""
    Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """An embedded database that `cercle migrate` made as an operator runs it, once per
    test run: the first worker to ask makes it, the others wait for it (a file lock in
    the run's temporary folder). Tests copy it through `tests.cli.migrated_operator_env`."""
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent  # the run's, shared by workers
    database = root / "migrated" / "cercle.sqlite3"
    with (root / "migrated.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not database.exists():
            making = root / "migrating"
            shutil.rmtree(making, ignore_errors=True)
            making.mkdir()
            result = run_cercle("migrate", "--noinput", env=operator_env(making), timeout=900)
            assert result.returncode == 0, result.stdout + result.stderr
            # Written back from the write-ahead log, so that one file is the database.
            with sqlite3.connect(making / database.name) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (root / "migrated").mkdir()
            shutil.copyfile(making / database.name, database)
    return database


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    """Tests read static files from the source tree, not a collected manifest
    (a dedicated test runs collectstatic with the production storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in French leaves French active in its thread (the middleware activates
    the reader's language): each test starts and ends in the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _temporary_media(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Files the tests store (photos, the demo's generated portraits, attachments) go
    to a temporary folder, never to the developer's var/media; a test that reads its
    files back sets its own `MEDIA_ROOT`."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _no_presence(settings: Any) -> None:
    """A member's first page of the day writes one visit event (one query, once a day:
    tests/test_analytics_presence.py pins it); the query counts pinned elsewhere
    measure the pages themselves."""
    settings.CERCLE_RECORD_PRESENCE = False


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rate limits and presence live in the cache, a table of the database (the
    default without Redis): each test that uses the database starts with it empty
    (a transactional test's flush leaves tables without a model alone)."""
    if request.node.get_closest_marker("django_db") is None and not (
        DATABASE_FIXTURES & set(request.fixturenames)
    ):
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run background tasks at once, in the process that queues them."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "email"],
        }
    }


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port, with Django sending to it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        yield server


@pytest.fixture
def alice(db: None) -> User:
    return make_person("alice@example.org", "Alice Martin")


@pytest.fixture
def bob(db: None) -> User:
    return make_person("bob@example.org", "Bob Leroy")


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def coordinator(db: None) -> User:
    return make_person("claire@example.org", "Claire Coord")


@pytest.fixture
def moderator(db: None) -> User:
    return make_person("mona@example.org", "Mona Moderator")


@pytest.fixture
def charlie(db: None) -> User:
    """An outsider: logged in, in no community with anyone."""
    return make_person("charlie@example.org", "Charlie Outsider")


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User) -> Community:
    """The usual test community: external, open and public; Claire coordinates, Alice
    and Bob are members. A module that needs another overrides this fixture with one
    call of `tests.communities.community`."""
    return community(coordinator, members=(alice, bob))


@pytest.fixture
def general(cargo: Community) -> Space:
    """The default space of the `cargo` community."""
    return cargo.spaces.get(is_default=True)


@pytest.fixture
def lab(cargo: Community, coordinator: User, alice: User) -> Space:
    """A private space where only Alice (and the coordinators) are listed."""
    space = community_actions.do_create_space(coordinator, cargo, name="Lab", is_private=True)
    community_actions.do_list_in_space(coordinator, space, alice)
    return space
