"""The API beside the pages: p50/p95 of listing topics and of posting a reply.

    .venv/bin/python bench/api.py                    # 300 topics, 60 runs of each
    .venv/bin/python bench/api.py --topics 1000 --runs 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cercle_bench .venv/bin/python bench/api.py

In one run, in this process: a scratch SQLite database (or the empty database of
DATABASE_URL, which it fills), migrated, then a community with `--topics` topics
(questions and discussions with replies, tags and readers), then each measure
`--runs` times through Django's test client, so the figures are the server's own
time (routing, middleware, queries, rendering or serialising), without a network:

- listing 50 topics through the API (GET /api/v1/communities/<slug>/topics?limit=50,
  a personal access token) beside the pages that list topics: the space's list
  (/c/<slug>/s/<space>/, 30 a page) and the community's home (/c/<slug>/);
- posting a reply through the API (POST /api/v1/topics/<id>/posts) beside the
  topic page's reply form (POST /c/<slug>/s/<space>/t/<id>/reply/, then its redirect
  not followed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Times are milliseconds per request, measured in-process.",
    )
    parser.add_argument("--topics", type=int, default=300, help="topics in the community")
    parser.add_argument("--runs", type=int, default=60, help="requests per measure")
    options = parser.parse_args()
    if options.topics < 60 or options.runs < 5:
        parser.error("give at least 60 topics and 5 runs")
    with tempfile.TemporaryDirectory(prefix="cercle-bench-api-") as scratch:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
        os.environ["CERCLE_VAR_DIR"] = scratch
        (Path(scratch) / "static").mkdir()  # WhiteNoise looks for STATIC_ROOT
        # The bench measures requests, not the rate limit: let every one through.
        os.environ["CERCLE_API_RATE_READS"] = "1000000"
        os.environ["CERCLE_API_RATE_WRITES"] = "1000000"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cercle.settings")
        sys.path.insert(0, str(ROOT))
        run(options.topics, options.runs)


def run(topics: int, runs: int) -> None:
    import django  # noqa: PLC0415 - settings first, from the environment set above

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    # Static files from the source tree (no collectstatic in a scratch folder); pages
    # name them the same way either way.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    community, token, client, topic = build(topics)
    slug, space = community.slug, "general"
    bearer = {"Authorization": f"Bearer {token}"}
    body = "A reply measured by bench/api.py, with **a little** Markdown."
    measures: list[tuple[str, Callable[[], Any], int]] = [
        (
            "list 50 topics: API",
            lambda: client.get(f"/api/v1/communities/{slug}/topics?limit=50", headers=bearer),
            200,
        ),
        ("list topics: space page (30)", lambda: client.get(f"/c/{slug}/s/{space}/"), 200),
        ("list topics: community home", lambda: client.get(f"/c/{slug}/"), 200),
        (
            "post a reply: API",
            lambda: client.post(
                f"/api/v1/topics/{topic.pk}/posts",
                data={"body": body},
                content_type="application/json",
                headers=bearer,
            ),
            201,
        ),
        (
            "post a reply: page form",
            lambda: client.post(f"/c/{slug}/s/{space}/t/{topic.pk}/reply/", {"body": body}),
            302,
        ),
    ]
    print(f"{connection.vendor}, {topics} topics, {runs} runs each (milliseconds)")
    print(f"{'measure':<32}{'p50':>8}{'p95':>8}{'max':>8}")
    for label, request, expected in measures:
        times = []
        for _run in range(runs + 2):
            start = time.perf_counter()
            response = request()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != expected:
                raise SystemExit(f"{label}: {response.status_code}, not {expected}")
            times.append(elapsed)
        times = sorted(times[2:])  # the first two warm the caches up
        p95 = times[max(0, round(len(times) * 0.95) - 1)]
        print(f"{label:<32}{statistics.median(times):>8.1f}{p95:>8.1f}{times[-1]:>8.1f}")


def build(count: int) -> tuple[Any, str, Any, Any]:
    """A public community whose general space holds `count` topics, two in three of
    them answered, with tags; its members' token and signed-in client."""
    from allauth.account.models import EmailAddress  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from cercle.accounts.models import User  # noqa: PLC0415
    from cercle.api.actions import do_create_token  # noqa: PLC0415
    from cercle.conversations import actions as conversations  # noqa: PLC0415
    from cercle.membership import actions as membership  # noqa: PLC0415

    people = []
    for number in range(6):
        email = f"member{number}@bench.example"
        person = User.objects.create_user(
            email=email, password=None, display_name=f"Member {number}", is_staff=number == 0
        )
        EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
        people.append(person)
    community = membership.do_create_community(
        people[0],
        slug="bench",
        name="Bench",
        domain="Benchmark",
        purpose="Measure the API beside the pages.",
        audience="external",
        entry="open",
        visibility="public",
        language="en",
    )
    for person in people[1:]:
        membership.do_join(person, community)
    space = community.spaces.get(is_default=True)
    tags = [conversations.do_create_tag(people[0], community, name=f"Tag {n}") for n in range(8)]
    topic = None
    for number in range(count):
        writer = people[number % len(people)]
        topic = conversations.do_start_topic(
            writer,
            space,
            kind="question" if number % 2 else "discussion",
            title=f"Topic number {number} about cargo bikes",
            body=f"Question {number}: how do you **carry** more?",
            tags=[tags[number % len(tags)]],
        )
        if number % 3:
            conversations.do_reply(people[(number + 1) % len(people)], topic, body="An answer.")
    assert topic is not None
    reader = people[1]
    _token, secret = do_create_token(reader, name="bench", scopes=["read", "write"], days=30)
    client = Client(HTTP_HOST="localhost")
    client.force_login(reader)
    return community, secret, client, topic


if __name__ == "__main__":
    main()
