"""Time `cercle demo --members N --months M --seed S` on PostgreSQL (and SQLite).

    .venv/bin/python bench/generate.py                       # 50,000 members, 24 months, PostgreSQL
    .venv/bin/python bench/generate.py --members 5000 --databases sqlite,postgresql

PostgreSQL runs in a database of its own, `cercle_bench_generate`, created on the
server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/) and dropped
afterwards; SQLite in a scratch folder. Each run migrates, then generates the
community with the real command in a process of its own, and prints the rows the
database then holds, the seconds the command took and the rows per second.
The issue's bar: 50,000 members, 500,000 posts and 5,000,000 activity events in
under 10 minutes on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "cercle_bench_generate"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/test"
TABLES = {
    "members": "communities_membership",
    "posts": "conversations_post",
    "reactions": "conversations_reaction",
    "activity events": "analytics_activityevent",
    "search documents": "search_searchdocument",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="postgresql", help="comma-separated")
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    arguments = [
        "--members",
        str(options.members),
        "--months",
        str(options.months),
        "--seed",
        str(options.seed),
        "--until",
        "2026-12-01",
        "--quiet",
    ]
    print(f"cercle demo {' '.join(arguments)}")
    for database in options.databases.split(","):
        if database == "sqlite":
            with tempfile.TemporaryDirectory(prefix="cercle-bench-") as scratch:
                url = f"sqlite:///{scratch}/bench.sqlite3"
                seconds = run(url, scratch, arguments)
                with sqlite3.connect(f"{scratch}/bench.sqlite3") as db:
                    counts = {k: db.execute(count_sql(t)).fetchone()[0] for k, t in TABLES.items()}
                report("SQLite", seconds, counts)
        elif database == "postgresql":
            server = os.environ.get("DATABASE_URL", DEFAULT_SERVER)
            if not server.startswith("postgres"):
                server = DEFAULT_SERVER
            parts = urlsplit(server)
            admin = urlunsplit(parts._replace(path="/postgres"))
            url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
                db.execute(f"CREATE DATABASE {BENCH_DATABASE}")
            try:
                with tempfile.TemporaryDirectory(prefix="cercle-bench-") as scratch:
                    seconds = run(url, scratch, arguments)
                with psycopg.connect(url) as db:
                    counts = {
                        k: db.execute(count_sql(t)).fetchone()[0]  # type: ignore[index]
                        for k, t in TABLES.items()
                    }
                report("PostgreSQL", seconds, counts)
            finally:
                with psycopg.connect(admin, autocommit=True) as db:
                    db.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        else:
            sys.exit(f"unknown database {database!r}")


def count_sql(table: str) -> str:
    return f"SELECT count(*) FROM {table}"  # noqa: S608 - our own table names


def run(url: str, scratch: str, arguments: list[str]) -> float:
    env = {**os.environ, "DATABASE_URL": url, "CERCLE_VAR_DIR": scratch}
    cercle = [sys.executable, "-m", "cercle"]
    subprocess.run([*cercle, "migrate", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    began = time.monotonic()
    subprocess.run([*cercle, "demo", *arguments], env=env, cwd=ROOT, check=True)  # noqa: S603
    return time.monotonic() - began


def report(name: str, seconds: float, counts: dict[str, int]) -> None:
    rows = sum(counts.values())
    print(f"\n{name}: {seconds:.1f} s, {rows:,} rows counted, {rows / seconds:,.0f} rows/s")
    for what, count in counts.items():
        print(f"  {what:<18} {count:>12,}")


if __name__ == "__main__":
    main()
