"""The count tables and the cockpit at scale, on PostgreSQL.

    .venv/bin/python bench/analytics.py                  # 50,000 members, 24 months (~5M events)
    .venv/bin/python bench/analytics.py --members 5000 --months 12 --keep

Generates a community with the real `cercle demo --members N --months M --seed S`
into a database of its own, `cercle_bench_analytics`, on the server of DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/), then prints in one run:
- the full rebuild of the count tables (`cercle analytics rebuild`), with its steps;
- the floor: one plain SQL GROUP BY of the same events by community, member and day;
- their ratio;
- the cockpit's page time (p50 and p95 over repeated requests of each period, as the
  community's coordinator), and its query count.
The database is dropped afterwards unless --keep is given (then a later run with
--keep reuses it and skips the generation).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "cercle_bench_analytics"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/test"
SEED = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=20, help="cockpit requests per period")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    options = parser.parse_args()
    server = os.environ.get("DATABASE_URL", DEFAULT_SERVER)
    if not server.startswith("postgres"):
        server = DEFAULT_SERVER
    parts = urlsplit(server)
    admin = urlunsplit(parts._replace(path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    with psycopg.connect(admin, autocommit=True) as db:
        exists = db.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if exists and not options.keep:
            db.execute(f"DROP DATABASE {BENCH_DATABASE}")
            exists = None
        if not exists:
            db.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CERCLE_VAR_DIR", str(ROOT / "var" / "bench"))
    try:
        if not exists:
            generate(options.members, options.months)
        measure(options.requests)
    finally:
        if not options.keep:
            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def generate(members: int, months: int) -> None:
    cercle = [sys.executable, "-m", "cercle"]
    subprocess.run([*cercle, "migrate", "-v0"], cwd=ROOT, check=True)  # noqa: S603
    began = time.monotonic()
    subprocess.run(  # noqa: S603
        [
            *cercle,
            "demo",
            "--members",
            str(members),
            "--months",
            str(months),
            "--seed",
            str(SEED),
            "--until",
            "2026-12-01",
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
    )
    print(f"generated in {time.monotonic() - began:.1f} s")


def measure(requests: int) -> None:
    import django  # noqa: PLC0415 - settings come from the environment set above

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cercle.settings")
    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection, reset_queries  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from cercle.analytics import counting  # noqa: PLC0415
    from cercle.analytics.models import ActivityEvent  # noqa: PLC0415
    from cercle.communities.models import Community  # noqa: PLC0415

    settings.ALLOWED_HOSTS = ["*"]
    # Static files from the source tree: the benchmark collects none.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    events = ActivityEvent.objects.count()
    print(f"{events:,} activity events")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT community_id, actor_id, "
            "(created_at AT TIME ZONE 'UTC')::date, count(*) FROM analytics_activityevent "
            "GROUP BY 1, 2, 3) AS days"
        )
        groups = cursor.fetchone()[0]  # type: ignore[index]
    floor = time.monotonic() - began
    print(
        f"floor: one GROUP BY of the events by community, member and day: {floor:.1f} s "
        f"({groups:,} groups)"
    )
    timings: dict[str, float] = {}
    wrap_steps(counting, timings)
    began = time.monotonic()
    counting.rebuild()
    rebuild = time.monotonic() - began
    print(f"full rebuild: {rebuild:.1f} s, {rebuild / floor:.1f} times the floor")
    for step, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"  {step:<28} {seconds:8.1f} s")
    community = Community.objects.get(slug=f"pratiques-{SEED}")
    client = Client()
    client.force_login(community.created_by)
    for period in ("30d", "90d", "12m"):
        times = []
        url = f"/c/{community.slug}/cockpit/?period={period}"
        for _request in range(requests):
            reset_queries()
            began = time.monotonic()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, HTTP_HOST="127.0.0.1")
            times.append(time.monotonic() - began)
            count = len(queries)
            assert response.status_code == 200, response.status_code
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(
            f"cockpit {period}: p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, {count} queries"
        )


def wrap_steps(module: object, timings: dict[str, float]) -> None:
    """Time the steps of a rebuild (the functions `recount` calls)."""
    for name in (
        "_group_events",
        "_event_sums",
        "_write_community_days",
        "_write_member_months",
        "_write_levels",
        "_write_question_lives",
    ):
        original = getattr(module, name)

        def timed(*args: object, _original: object = original, _name: str = name) -> object:
            began = time.monotonic()
            try:
                return _original(*args)  # type: ignore[operator]
            finally:
                timings[_name] = timings.get(_name, 0.0) + time.monotonic() - began

        setattr(module, name, timed)


if __name__ == "__main__":
    main()
