#!/usr/bin/env python3
"""Read a community's unanswered questions through Cercle's API, and answer one.

    export CERCLE_TOKEN=cercle_pat_...        # Account > API tokens, scopes read and write
    python3 answer_unanswered.py --site https://cercle.example.org --community cargo
    python3 answer_unanswered.py --site https://cercle.example.org --community cargo \\
        --answer "Try the repair café on Saturday." --topic 42

Without --answer it only lists the questions (read scope is enough). With --answer it
posts the text as an answer to --topic, or to the oldest unanswered question, as the
token's person: the same permissions as on the pages apply (a 403 problem if they may
not post there). Standard library only (urllib); Python 3.10 or later.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


def call(site: str, token: str, method: str, path: str, body: Any = None) -> Any:
    """One API call; the decoded JSON answer, or an exit with the problem's words."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the site is the user's to choose
        site.rstrip("/") + "/api/v1" + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        # Every error is a problem (RFC 9457): its title and detail say what went wrong.
        try:
            problem = json.load(error)
        except ValueError:
            problem = {"title": error.reason}
        words = problem.get("detail") or problem.get("title")
        raise SystemExit(f"{method} {path}: {error.code} {words}") from None


def unanswered(site: str, token: str, community: str, limit: int) -> list[dict[str, Any]]:
    """The questions nobody answered yet, newest first, following the cursor."""
    found: list[dict[str, Any]] = []
    query = {"kind": "question", "status": "unanswered", "order": "new", "limit": min(limit, 100)}
    while len(found) < limit:
        path = f"/communities/{urllib.parse.quote(community)}/topics?" + urllib.parse.urlencode(
            query
        )
        page = call(site, token, "GET", path)
        found += page["items"]
        if not page["next_cursor"]:
            break
        query["cursor"] = page["next_cursor"]
    return found[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Read a community's unanswered questions through Cercle's API, and answer one.",
        epilog="The token comes from --token or the CERCLE_TOKEN environment variable.",
    )
    parser.add_argument("--site", required=True, help="the site's address, https://...")
    parser.add_argument("--community", required=True, help="the community's address (slug)")
    parser.add_argument("--token", default=os.environ.get("CERCLE_TOKEN", ""))
    parser.add_argument("--limit", type=int, default=20, help="questions to list (20)")
    parser.add_argument("--answer", help="post this text as an answer")
    parser.add_argument("--topic", type=int, help="the question to answer (default: the oldest)")
    options = parser.parse_args(argv)
    if not options.token:
        parser.error("give a token: --token or CERCLE_TOKEN")
    questions = unanswered(options.site, options.token, options.community, options.limit)
    for question in questions:
        print(f"#{question['id']}  {question['title']}  ({question['author']['name']})")
    if not questions:
        print("No unanswered question.")
    if options.answer is None:
        return 0
    if options.topic is None and not questions:
        return 1
    topic = options.topic if options.topic is not None else questions[-1]["id"]
    post = call(
        options.site, options.token, "POST", f"/topics/{topic}/posts", {"body": options.answer}
    )
    print(f"Answered #{topic}: {post['url']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
