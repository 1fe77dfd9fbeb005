"""One vocabulary of events: every verb declared once (cercle/activity/verbs.py), defined
in docs/metrics.md, refused when undeclared, and read from the declarations by
everything that counts or writes events."""

from __future__ import annotations

import ast
import importlib
import re
import typing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cercle.accounts.models import User
from cercle.activities.models import Challenge, Poll, Quiz
from cercle.activity import verbs
from cercle.activity.log import new_event, record_event
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.activity.verbs import Tally
from cercle.analytics import counting
from cercle.animation import planning
from cercle.conversations.models import Kind, ReactionKind
from cercle.events.models import CHOSEN, Response
from cercle.ideas.models import IdeaStatus
from cercle.importers import bulk
from cercle.knowledge import actions as knowledge_actions
from cercle.knowledge.models import ResourceKind
from cercle.nextactions.models import Outcome
from cercle.people.models import Follow
from tests.communities import community

ROOT = Path(__file__).resolve().parent.parent
LEVELS = {"—": None, "1": 1, "2": 2, "3": 3}


def documented_verbs() -> dict[str, tuple[int | None, frozenset[str], bool, str]]:
    """The table "The verbs" of docs/metrics.md: verb -> (level, tallies, makes a
    member day, meaning)."""
    text = (ROOT / "docs" / "metrics.md").read_text()
    section = text.split("## The verbs", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        name, level, counts, meaning = cells
        rows[name.strip("`")] = (
            LEVELS[level],
            frozenset(re.findall(r"`([a-z0-9]+)`", counts)),
            "no member day" not in counts,
            meaning,
        )
    return rows


def test_every_declared_verb_is_defined_in_docs_metrics_as_declared() -> None:
    documented = documented_verbs()
    assert len(verbs.VERBS) > 150
    assert sorted(set(verbs.VERBS) - set(documented)) == [], "define them in docs/metrics.md"
    assert sorted(set(documented) - set(verbs.VERBS)) == [], "documented but not declared"
    for name, verb in verbs.VERBS.items():
        level, counts, member_day, meaning = documented[name]
        assert level == verb.level, name
        assert counts == {str(tally) for tally in verb.counts}, name
        assert member_day == verb.member_day, name
        assert len(meaning) > 10, name


def test_record_event_refuses_an_undeclared_verb_and_writes_nothing(coordinator: User) -> None:
    cargo = community(coordinator)
    before = ActivityEvent.objects.count()
    with pytest.raises(ValueError, match=r"'topic\.startde\.question' is not a declared verb"):
        record_event("topic.startde.question", actor=coordinator, community=cargo)
    # A verb made outside the vocabulary, even with a declared name, is not one.
    forged = verbs.Verb("community.visited", EngagementLevel.CREATE)
    with pytest.raises(verbs.UndeclaredVerb):
        record_event(forged, actor=coordinator, community=cargo)
    # A level other than the declared one is refused too.
    with pytest.raises(ValueError, match=r"declared at level 1, not 3"):
        record_event(
            verbs.ANSWER_POSTED, actor=coordinator, community=cargo, level=EngagementLevel.CREATE
        )
    assert ActivityEvent.objects.count() == before


def test_record_event_takes_the_level_from_the_declaration(coordinator: User) -> None:
    cargo = community(coordinator)
    record_event(verbs.TOPIC_STARTED_QUESTION, actor=coordinator, community=cargo)
    record_event("reaction.thanks", actor=coordinator, community=cargo)  # declared, by name
    record_event(
        verbs.ANSWER_POSTED, actor=coordinator, community=cargo, level=EngagementLevel.REACT
    )
    assert dict(
        ActivityEvent.objects.filter(actor=coordinator)
        .exclude(verb__in=["community.created", "membership.joined"])
        .values_list("verb", "level")
    ) == {"topic.started.question": 3, "reaction.thanks": 1, "answer.posted": 1}


def test_the_writers_of_events_in_bulk_refuse_an_undeclared_verb(coordinator: User) -> None:
    cargo = community(coordinator)
    moment = datetime(2026, 1, 5, tzinfo=UTC)
    with pytest.raises(verbs.UndeclaredVerb):
        bulk.event(
            verbs.Verb("reaction.everything", EngagementLevel.REACT),
            community_id=cargo.pk,
            actor_id=None,
            target=None,
            created_at=moment,
        )
    with pytest.raises(verbs.UndeclaredVerb):
        new_event("badge.awarded.first_post", community_id=cargo.pk, actor_id=None, target=None)
    event = bulk.event(
        verbs.COMMENT_POSTED, community_id=cargo.pk, actor_id=None, target=None, created_at=moment
    )
    assert (event.verb, event.level, event.created_at) == ("comment.posted", 1, moment)


def test_a_family_refuses_a_kind_it_does_not_have() -> None:
    assert verbs.TOPIC_STARTED["question"] is verbs.TOPIC_STARTED_QUESTION
    assert verbs.REACTION[ReactionKind.HELPFUL].name == "reaction.helpful"
    with pytest.raises(verbs.UndeclaredVerb, match="poll"):
        verbs.TOPIC_STARTED["poll"]


def test_a_verb_is_declared_once_with_a_plain_name() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        verbs.declare("answer.posted")
    with pytest.raises(ValueError, match="not a verb"):
        verbs.declare("reaction.%")
    assert "reaction.%" not in verbs.VERBS


def test_the_families_have_a_verb_for_each_kind_the_models_know() -> None:
    assert set(verbs.TOPIC_STARTED.kinds()) == set(Kind.values)
    assert set(verbs.REACTION.kinds()) == set(ReactionKind.values)
    assert set(verbs.RESOURCE_REACTED.kinds()) == set(ReactionKind.values)
    assert set(verbs.RESOURCE_ADDED.kinds()) == set(ResourceKind.values)
    assert set(verbs.EVENT_RSVP.kinds()) == {*CHOSEN, Response.WAITING}
    assert set(verbs.IDEA_STATUS.kinds()) == set(IdeaStatus.values)
    assert set(verbs.NEXT_ACTION.kinds()) == set(Outcome.values)
    assert set(verbs.COLLECTION_REORDERED.kinds()) == set(typing.get_args(knowledge_actions.Items))
    followed = {f.name for f in Follow._meta.get_fields() if f.name not in ("id", "follower")}
    assert set(verbs.FOLLOW.kinds()) == followed - {"created_at"}
    activities = {Poll.KIND, Quiz.KIND, Challenge.KIND}
    for family in (verbs.ACTIVITY_CREATED, verbs.ACTIVITY_EDITED, verbs.ACTIVITY_DELETED):
        assert set(family.kinds()) == activities
    planned = {model.KIND for model in planning.kinds()}
    assert set(verbs.PUBLISHED.kinds()) == set(verbs.NOT_PUBLISHED.kinds()) == planned


def test_the_tallies_are_read_from_the_declarations() -> None:
    for tally in Tally:
        assert verbs.verbs_counting(tally), tally
        listed = ", ".join(f"'{name}'" for name in verbs.verbs_counting(tally))
        assert counting.TALLY[tally.value] == f"verb IN ({listed})"
    assert verbs.verbs_counting(Tally.QUESTIONS) == ("topic.started.question",)
    assert verbs.verbs_counting(Tally.ANSWERS) == ("answer.posted",)
    assert verbs.not_member_days() == (
        "invitation.declined",
        "membership.left",
        "membership.request_cancelled",
        "membership.requested",
    )
    assert verbs.verbs_counting(Tally.JOINED) == ("membership.approved", "membership.joined")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


WRITERS = {"record_event", "new_event", "event", "_event"}


def test_no_verb_is_spelled_out_outside_the_vocabulary() -> None:
    """Code names verbs through `cercle.activity.verbs` only: no verb in a string, no
    verb built from pieces for a writer of events, no LIKE pattern on verbs
    (migrations, frozen history, aside)."""
    spelled = []
    for path in sorted((ROOT / "cercle").rglob("*.py")):
        if "migrations" in path.parts or path == ROOT / "cercle" / "activity" / "verbs.py":
            continue
        tree = ast.parse(path.read_text())
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docstrings and (
                    node.value in verbs.VERBS or "verb LIKE" in node.value
                ):
                    spelled.append(where)
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                given = [kw.value for kw in node.keywords if kw.arg == "verb"]
                if name in WRITERS and node.args:
                    given.append(node.args[0])
                if any(isinstance(arg, ast.JoinedStr | ast.Constant) for arg in given):
                    spelled.append(where)
    assert spelled == []


def test_the_migration_gives_old_persona_posts_and_earned_badges_their_verbs(
    coordinator: User,
) -> None:
    """Events written before the vocabulary: `persona.post` becomes the verb of any post
    and the next fill counts them again; `badge.awarded.<key>` becomes `badge.earned`."""
    from django.apps import apps  # noqa: PLC0415

    from cercle.analytics.models import FillState  # noqa: PLC0415
    from cercle.conversations import actions as talk  # noqa: PLC0415

    migration = importlib.import_module("cercle.analytics.migrations.0004_one_vocabulary_of_verbs")
    cargo = community(coordinator)
    general = cargo.spaces.get()
    question = talk.do_start_topic(
        coordinator, general, kind=Kind.QUESTION, title="Quelle huile ?", body="Pour la chaîne."
    )
    answer = talk.do_reply(coordinator, question, body="De la cire.")
    discussion = talk.do_start_topic(
        coordinator, general, kind=Kind.DISCUSSION, title="Bienvenue", body="Présentez-vous."
    )
    reply = talk.do_reply(coordinator, discussion, body="Bonjour !")
    posts = [question.posts.get(position=0), answer, discussion.posts.get(position=0), reply]
    # As a persona's posts were recorded before.
    old = list(
        ActivityEvent.objects.filter(
            verb__in=[
                "topic.started.question",
                "answer.posted",
                "topic.started.discussion",
                "reply.posted",
            ]
        ).order_by("pk")
    )
    for event, post in zip(old, posts, strict=True):
        ActivityEvent.objects.filter(pk=event.pk).update(
            verb="persona.post", object_type="conversations.post", object_id=post.pk, level=3
        )
    earned = ActivityEvent.objects.create(verb="badge.awarded.first_post", community=cargo)
    last = ActivityEvent.objects.order_by("pk").last()
    assert last is not None
    FillState.objects.create(name="counts", last_event_id=last.pk)

    migration.persona_posts_record_the_verbs_of_posts(apps, None)
    migration.earned_badges_record_one_verb(apps, None)

    rewritten = list(
        ActivityEvent.objects.filter(pk__in=[e.pk for e in old])
        .order_by("pk")
        .values_list("verb", "object_type", "object_id", "level")
    )
    assert rewritten == [
        ("topic.started.question", "conversations.topic", question.pk, 3),
        ("answer.posted", "conversations.post", answer.pk, 1),
        ("topic.started.discussion", "conversations.topic", discussion.pk, 3),
        ("reply.posted", "conversations.post", reply.pk, 1),
    ]
    assert FillState.objects.get(name="counts").last_event_id == old[0].pk - 1
    earned.refresh_from_db()
    assert earned.verb == "badge.earned"
    assert not ActivityEvent.objects.exclude(verb__in=list(verbs.VERBS)).exists()
