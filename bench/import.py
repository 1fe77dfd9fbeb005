"""Rows per second of the Stack Exchange import, on SQLite and on PostgreSQL.

    .venv/bin/python bench/import.py                     # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/import.py --databases sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/import.py

Each database runs in a process of its own (Django reads its settings once): SQLite
in a scratch folder, PostgreSQL in a database of its own, `cercle_bench`, created
on the server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/) and
dropped afterwards. Each shared dump is imported into a new community; the table
shows the dump's rows read, the rows written, the wall-clock and processor seconds
of this process, and the rates.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django
import psycopg
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "stackexchange"
DUMPS = ["bicycles-meta", "conlang-meta"]
BENCH_DATABASE = "cercle_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of the dumps")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        print(json.dumps(run_worker(options.data)))
        return
    results: list[dict[str, Any]] = []
    for database in options.databases.split(","):
        if database == "sqlite":
            with tempfile.TemporaryDirectory(prefix="cercle-bench-") as scratch:
                url = f"sqlite:///{scratch}/bench.sqlite3"
                results += run_in_process(url, scratch, options.data)
        elif database == "postgresql":
            server = os.environ.get("DATABASE_URL", DEFAULT_SERVER)
            if not server.startswith("postgres"):
                server = DEFAULT_SERVER
            try:
                url = create_database(server)
            except psycopg.Error as error:
                print(f"postgresql: skipped ({error})", file=sys.stderr)
                continue
            try:
                with tempfile.TemporaryDirectory(prefix="cercle-bench-") as scratch:
                    results += run_in_process(url, scratch, options.data)
            finally:
                drop_database(server)
        else:
            parser.error(f"unknown database {database!r}")
    print_table(results)


def run_in_process(url: str, scratch: str, data: Path) -> list[dict[str, Any]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CERCLE_")}
    env.update({"DATABASE_URL": url, "CERCLE_VAR_DIR": scratch})
    done = subprocess.run(  # noqa: S603 - this very script, with a fixed argv
        [sys.executable, __file__, "--worker", "1", "--data", str(data)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def run_worker(data: Path) -> list[dict[str, Any]]:
    """In the child process: migrate, then import each dump into a new community."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cercle.settings")
    django.setup()
    # Models can be imported only once Django is set up, with this process's database.
    from cercle.accounts.models import User  # noqa: PLC0415
    from cercle.importers.stackexchange import import_dump  # noqa: PLC0415
    from cercle.membership import actions  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    coordinator = User.objects.create_user(
        email="bench@example.org", password=None, display_name="Bench", is_staff=True
    )
    results = []
    for dump in DUMPS:
        community = actions.do_create_community(
            coordinator,
            slug=dump,
            name=dump,
            domain="Benchmark",
            purpose="Measure the import.",
            audience="external",
            entry="open",
            visibility="public",
            language="en",
        )
        report = import_dump(data / dump, community)
        results.append(
            {
                "database": connection.vendor,
                "dump": dump,
                "read": report.rows_read,
                "written": report.rows_written,
                "seconds": report.seconds,
                "cpu": report.cpu_seconds,
            }
        )
    return results


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(server: str) -> psycopg.Connection[Any]:
    return psycopg.connect(_with_database(server, "postgres"), autocommit=True)


def create_database(server: str) -> str:
    with _admin_connection(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return _with_database(server, BENCH_DATABASE)


def drop_database(server: str) -> None:
    with _admin_connection(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'database':<11}{'dump':<15}{'rows read':>10}{'written':>9}"
        f"{'seconds':>9}{'cpu s':>7}{'read/s':>9}{'written/s':>11}"
    )
    print(header)
    for row in results:
        print(
            f"{row['database']:<11}{row['dump']:<15}{row['read']:>10,}{row['written']:>9,}"
            f"{row['seconds']:>9.2f}{row['cpu']:>7.2f}"
            f"{row['read'] / row['seconds']:>9,.0f}{row['written'] / row['seconds']:>11,.0f}"
        )


if __name__ == "__main__":
    main()
