"""The permission matrix again, through the API's content resources: every person of
tests/test_permission_matrix.py against every community type, with a topic, an
event, a poll, a collection, an article and an idea in each of the open, the listed
private and the unlisted private spaces.

What must hold, read from the matrix's own TABLE (never from `cercle.permissions`):
- no leak: a list shows an item exactly when the person may view its space, a detail
  answers 200 exactly then and 404 otherwise (401 for whoever has no account or a
  deactivated one); a topic written as a persona never shows its real writer; a
  planned event that is not published yet shows to the community's animators only;
- no forbidden write: a reply, a vote for an idea or an answer to an event is taken
  exactly when the person may post there, refused otherwise (403 where they read,
  404 where they do not), and a refused call writes no row.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activities import actions as activity_actions
from cercle.communities.models import Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Post, Topic
from cercle.events import actions as event_actions
from cercle.events.models import RSVP
from cercle.ideas import actions as idea_actions
from cercle.ideas.models import IdeaVote
from cercle.knowledge import actions as library_actions
from cercle.personas import actions as persona_actions
from cercle.wiki import actions as wiki_actions
from tests.test_permission_matrix import (
    PERSONS,
    TYPES,
    CommunityType,
    World,
    build_world,
    clients,
    expected,
    mismatch_report,
)

pytestmark = pytest.mark.django_db

SPACES = ("open_space", "private_listed", "private_unlisted")
API = "/api/v1"
# Those the API does not know: no account, or a deactivated one.
NOBODY = {"anonymous", "deactivated"}
# Each list and the field of its items that names the space the item is in.
LISTS = {
    "topics": "/topics",
    "events": "/events",
    "polls": "/polls",
    "collections": "/library/collections",
    "articles": "/wiki/articles",
    "ideas": "/ideas",
}


Made = dict[tuple[CommunityType, str], dict[str, int]]


def title(kind: CommunityType, obj: str, what: str) -> str:
    return f"{what} of {obj} in {kind.slug}"


def build_content(world: World) -> Made:
    """In every space of every community, one of each resource, made by the community's
    coordinator; in the open space also a topic written as a persona and a planned
    event not yet published. Returns each space's objects by resource."""
    coordinator = world.persons["coordinator"]
    assert isinstance(coordinator, User)
    made: Made = {}
    start = timezone.now() + timedelta(days=5)
    for kind in TYPES:
        community = world.communities[kind]
        persona = persona_actions.do_create_persona(coordinator, community, name="Velia")
        for obj in SPACES:
            space = world.objects[(kind, obj)]
            assert isinstance(space, Space)
            space.community = community
            topic = conversation_actions.do_start_topic(
                coordinator, space, kind="question", title=title(kind, obj, "topic"), body="?"
            )
            event = event_actions.do_create_event(
                coordinator,
                space,
                title=title(kind, obj, "event"),
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                time_zone="Europe/Paris",
                place="The workshop",
            )
            activity_actions.do_create_poll(
                coordinator,
                space,
                activity_actions.PollFields(title=title(kind, obj, "poll"), choices=["A", "B"]),
            )
            library_actions.do_create_collection(
                coordinator, space, title=title(kind, obj, "collection")
            )
            wiki_actions.do_create_article(
                coordinator, space, title=title(kind, obj, "article"), body="Text."
            )
            idea = idea_actions.do_propose_idea(coordinator, space, title=title(kind, obj, "idea"))
            made[(kind, obj)] = {"topic": topic.pk, "event": event.pk, "idea": idea.pk}
        general = world.objects[(kind, "open_space")]
        assert isinstance(general, Space)
        masked = conversation_actions.do_start_topic(
            coordinator,
            general,
            kind="discussion",
            title=title(kind, "persona", "topic"),
            body="Hello from Velia.",
            persona=persona,
        )
        made[(kind, "open_space")]["persona_topic"] = masked.pk
        event_actions.do_create_event(
            coordinator,
            general,
            title=title(kind, "planned", "event"),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            time_zone="Europe/Paris",
            place="The workshop",
            publish_at=start - timedelta(days=1),
        )
    return made


def get(client: Client, path: str) -> tuple[int, Any]:
    response = client.get(API + path)
    return response.status_code, response.json() if response.content else None


def send(client: Client, method: str, path: str, body: Any = None) -> int:
    response = getattr(client, method)(
        API + path, data=json.dumps(body or {}), content_type="application/json"
    )
    return int(response.status_code)


@pytest.fixture
def world(settings: Any) -> World:
    # Thousands of calls: the rate limits' counters in memory rather than in the
    # database's cache table (what is checked here is each endpoint, not the limits),
    # and limits no person of the matrix reaches.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CERCLE_API_RATE_READS = 100_000
    settings.CERCLE_API_RATE_WRITES = 100_000
    return build_world(TYPES)


def test_the_api_leaks_nothing_and_takes_no_forbidden_write(world: World) -> None:
    """One world for both halves (building it is most of the time): reads first, then
    the writes, which change nothing the reads look at."""
    made = build_content(world)
    read_mismatches, read_cases = check_reads(world, made)
    write_mismatches, write_cases = check_writes(world, made)
    mismatches = read_mismatches + write_mismatches
    assert not mismatches, mismatch_report(mismatches, read_cases + write_cases)
    # Nobody but the persons the matrix lets post wrote anything in a topic.
    assert Topic.objects.filter(reply_count__gt=0).count() == len(
        {
            (kind, obj)
            for person in PERSONS
            for kind in TYPES
            for obj in SPACES
            if person != "coordinator" and expected(person, kind, obj, "post")
        }
    )


def check_reads(world: World, made: Made) -> tuple[list[str], int]:
    """No leak: lists, details, and the persona's mask."""
    coordinator = world.persons["coordinator"]
    assert isinstance(coordinator, User)
    mismatches: list[str] = []
    cases = 0
    for person, client in clients(world):
        for kind in TYPES:
            slug = world.communities[kind].slug
            case = f"{person} in {kind.slug}"
            if person in NOBODY:
                # Without an account the API answers 401 to everything: one read of
                # each kind (a list, a detail) shows it for this community.
                cases += 2
                topic = made[(kind, "open_space")]["topic"]
                for path in (f"/communities/{slug}/topics", f"/topics/{topic}"):
                    status, _body = get(client, path)
                    if status != 401:
                        mismatches.append(f"{case}: {path} answered {status}, not 401")
                continue
            readable = {obj for obj in SPACES if expected(person, kind, obj, "view")}
            for resource, path in LISTS.items():
                cases += 1
                status, page = get(client, f"/communities/{slug}{path}?limit=100")
                mismatches += list_mismatches(person, kind, resource, status, page, readable)
            for obj in SPACES:
                objects = made[(kind, obj)]
                for label, path in (
                    ("topic", f"/topics/{objects['topic']}"),
                    ("event", f"/communities/{slug}/events/{objects['event']}"),
                    ("idea", f"/communities/{slug}/ideas/{objects['idea']}"),
                ):
                    cases += 1
                    status, _body = get(client, path)
                    want = 401 if person in NOBODY else (200 if obj in readable else 404)
                    if status != want:
                        mismatches.append(f"{case}: {label} of {obj} answered {status}, not {want}")
            masked = made[(kind, "open_space")]["persona_topic"]
            status, body = get(client, f"/topics/{masked}")
            if status == 200:
                text = json.dumps(body)
                if coordinator.display_name in text or coordinator.handle in text:
                    mismatches.append(f"{case}: the persona topic names its writer")
    return mismatches, cases


def list_mismatches(
    person: str, kind: CommunityType, resource: str, status: int, page: Any, readable: set[str]
) -> list[str]:
    """What is wrong with one list's answer: its status, or the items it shows."""
    case = f"{person} in {kind.slug}"
    want = 401 if person in NOBODY else (200 if "open_space" in readable else 404)
    if status != want:
        return [f"{case}: list {resource} answered {status}, not {want}"]
    if status != 200:
        return []
    found = []
    what = resource.rstrip("s")
    # An event opens its discussion: the topics list shows it too, rightly.
    shown = {item["title"] for item in page["items"] if item["title"].startswith(what)}
    wanted = {title(kind, obj, what) for obj in readable}
    if resource == "topics":
        wanted.add(title(kind, "persona", "topic"))
        masked = next(item for item in page["items"] if item["title"].startswith("topic of per"))
        if masked["author"]["kind"] != "persona" or masked["author"]["id"]:
            found.append(f"{case}: the persona topic shows {masked}")
    # The community's animators (its coordinators) prepare planned events.
    if resource == "events" and person == "coordinator":
        wanted.add(title(kind, "planned", "event"))
    if shown != wanted:
        found.append(f"{case}: list {resource} showed {sorted(shown ^ wanted)} wrongly")
    return found


def check_writes(world: World, made: Made) -> tuple[list[str], int]:
    """No forbidden write: each refused, and no row written."""
    mismatches: list[str] = []
    cases = 0
    for person, client in clients(world):
        if person == "coordinator":
            continue  # their own topic and idea: the content tests cover them
        for kind in TYPES:
            slug = world.communities[kind].slug
            for obj in SPACES:
                cases += 1
                objects = made[(kind, obj)]
                may_post = expected(person, kind, obj, "post")
                reads = expected(person, kind, obj, "view")
                want_refusal = 401 if person in NOBODY else (403 if reads else 404)
                posts_before = Post.objects.filter(topic_id=objects["topic"]).count()
                attempts = {
                    "reply": (
                        send(client, "post", f"/topics/{objects['topic']}/posts", {"body": "Hi"}),
                        201,
                    ),
                    "vote for the idea": (
                        send(client, "put", f"/communities/{slug}/ideas/{objects['idea']}/vote"),
                        200,
                    ),
                    "answer the event": (
                        send(
                            client,
                            "put",
                            f"/communities/{slug}/events/{objects['event']}/rsvp",
                            {"response": "going"},
                        ),
                        200,
                    ),
                }
                for label, (status, success) in attempts.items():
                    want = success if may_post else want_refusal
                    if status != want:
                        mismatches.append(
                            f"{person} in {kind.slug}, {obj}: {label} answered {status}, not {want}"
                        )
                written = (
                    Post.objects.filter(topic_id=objects["topic"]).count() - posts_before,
                    IdeaVote.objects.filter(
                        idea_id=objects["idea"], person_id=getattr(world.persons[person], "pk", 0)
                    ).count(),
                    RSVP.objects.filter(
                        event_id=objects["event"], person_id=getattr(world.persons[person], "pk", 0)
                    ).count(),
                )
                if written != ((1, 1, 1) if may_post else (0, 0, 0)):
                    mismatches.append(f"{person} in {kind.slug}, {obj}: rows written {written}")
    return mismatches, cases
