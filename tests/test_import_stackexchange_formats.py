"""The Stack Exchange importer on small hand-made dumps: every format since 2010,
what each row becomes, safety on bad input, permissions and the attribution shown.

The dumps are in tests/fixtures/stackexchange/ (README.md there says what each holds).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.badges.models import BadgeAward, CustomBadge
from cercle.communities.models import Audience, Community, Membership, Status, Visibility
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Post, PostRevision, Reaction, Tag, Topic
from cercle.importers import stackexchange
from cercle.importers.models import ImportedPost, ImportedSite, ImportedUser, SourceKind
from cercle.importers.progress import Progress
from cercle.mail.delivery import queue_email
from cercle.notifications.models import EmailPreference
from cercle.people.models import Profile
from cercle.search.models import SearchDocument
from cercle.search.query import NO_FILTERS, search
from tests.cli import migrated_operator_env, run_cercle
from tests.communities import client_for, community, html, internal_domain, join
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stackexchange"
MODERN = FIXTURES / "modern"
EARLY = FIXTURES / "early-2011"
SITE = "modern.stackexchange.com"

# Every table an import writes to.
TABLES: list[type[models.Model]] = [
    User,
    EmailAddress,
    ImportedUser,
    ImportedSite,
    ImportedPost,
    Profile,
    EmailPreference,
    Membership,
    Topic,
    Topic.tags.through,
    Post,
    PostRevision,
    Tag,
    Reaction,
    ActivityEvent,
    SearchDocument,
    CustomBadge,
    BadgeAward,
]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in TABLES}


def run_import(folder: Path, *options: str, slug: str = "cargo") -> tuple[str, str]:
    """`cercle import stackexchange` as called from the command line; (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import",
        "stackexchange",
        str(folder),
        "--community",
        slug,
        *options,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def cargo(coordinator: User) -> Community:
    return community(coordinator)


def origin(kind: str, source_id: int) -> ImportedPost:
    return ImportedPost.objects.select_related("post__topic", "post__author").get(
        source_kind=kind, source_id=source_id
    )


def person(source_id: int) -> User:
    return User.objects.get(imported_from__source_id=source_id)


# --- A modern dump ------------------------------------------------------------------------------


def test_a_modern_dump_with_byte_order_marks_imports_everything(cargo: Community) -> None:
    out, _err = run_import(MODERN, "--quiet")
    assert out == ""
    site = ImportedSite.objects.get(community=cargo)
    assert site.site == SITE
    counts = site.counts
    assert {key: counts[key] for key in ["users", "questions", "answers", "comments"]} == {
        "users": 5,
        "questions": 3,
        "answers": 3,
        "comments": 3,  # the fourth comments a tag wiki, which is not imported
    }
    assert (counts["accepted"], counts["upvotes"], counts["downvotes"]) == (1, 8, 1)
    assert counts["skipped"] == {
        "other_posts": 1,
        "orphan_comments": 1,
        "orphan_votes": 1,
        "other_votes": 1,
    }
    assert Membership.objects.filter(community=cargo, status=Status.ACTIVE).count() == 1 + 5
    assert Topic.objects.filter(community=cargo).count() == 3


def test_replies_are_answers_and_comments_in_time_order(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    topic = origin(SourceKind.QUESTION, 1).post.topic
    places = list(
        ImportedPost.objects.filter(post__topic=topic)
        .order_by("post__position")
        .values_list("post__position", "source_kind", "source_id")
    )
    assert places == [
        (0, "question", 1),
        (1, "comment", 1),
        (2, "answer", 2),
        (3, "comment", 2),
        (4, "answer", 3),
    ]
    assert (topic.reply_count, topic.last_position) == (4, 4)
    assert topic.last_activity_at == at("2015-03-02T09:00:00")
    assert topic.last_poster is None  # the last answer's owner was deleted
    comment = origin(SourceKind.COMMENT, 2).post
    assert comment.reply_to == origin(SourceKind.ANSWER, 2).post


def test_an_answer_written_before_its_question_in_the_file_finds_its_topic(
    cargo: Community,
) -> None:
    run_import(MODERN, "--quiet")
    answer = origin(SourceKind.ANSWER, 6).post
    question = origin(SourceKind.QUESTION, 5).post
    assert answer.topic_id == question.topic_id
    assert answer.position == 1
    assert origin(SourceKind.COMMENT, 4).post.reply_to == answer


def test_the_accepted_answer_is_accepted_on_the_day_of_its_vote(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    topic = origin(SourceKind.QUESTION, 1).post.topic
    assert topic.accepted_answer == origin(SourceKind.ANSWER, 3).post
    # Votes keep only their day: accepted on 2015-03-03, after the answer (03-02 09:00).
    assert topic.solved_at == at("2015-03-03T00:00:00")
    event = ActivityEvent.objects.get(verb="answer.accepted")
    assert (event.actor, event.created_at) == (person(2), at("2015-03-03T00:00:00"))


def test_every_original_time_is_kept_activity_included(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    question = origin(SourceKind.QUESTION, 1).post
    assert question.created_at == question.topic.created_at == at("2015-03-01T10:00:00")
    answer = origin(SourceKind.ANSWER, 2).post
    assert (answer.created_at, answer.edited_at) == (
        at("2015-03-01T11:00:00"),
        at("2015-03-01T11:30:00"),
    )
    assert answer.revisions.get().created_at == answer.created_at
    alice = person(2)
    assert alice.date_joined == at("2015-02-01T08:30:00")
    membership = Membership.objects.get(person=alice, community=cargo)
    assert membership.joined_at == membership.created_at == at("2015-02-01T08:30:00")
    events = ActivityEvent.objects.filter(community=cargo)
    assert events.get(verb="membership.joined", actor=alice).created_at == at("2015-02-01T08:30")
    assert events.get(verb="topic.started.question", object_id=question.topic_id).created_at == (
        question.created_at
    )
    up_votes = sorted(
        events.filter(verb="reaction.helpful", object_id=question.pk).values_list(
            "created_at", flat=True
        )
    )
    # Full and day-only vote dates alike, at midnight UTC.
    assert up_votes == [at("2015-03-01"), at("2015-03-02"), at("2015-03-04")]


def test_activity_is_recorded_at_the_engagement_levels_of_the_live_actions(
    cargo: Community,
) -> None:
    run_import(MODERN, "--quiet")
    levels = dict(
        ActivityEvent.objects.filter(community=cargo)
        .exclude(verb="community.created")
        .values_list("verb", "level")
        .distinct()
    )
    assert levels == {
        "membership.joined": None,
        "topic.started.question": EngagementLevel.CREATE,
        "answer.posted": EngagementLevel.REACT,
        "comment.posted": EngagementLevel.REACT,
        "reaction.helpful": EngagementLevel.REACT,
        "answer.accepted": None,
        "badge.awarded": None,
    }
    comment = origin(SourceKind.COMMENT, 1).post
    event = ActivityEvent.objects.get(verb="comment.posted", object_id=comment.pk)
    assert (event.actor, event.object_type) == (person(3), "conversations.post")


def test_people_get_placeholder_accounts_that_nobody_can_sign_in_to(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    alice = person(2)
    assert alice.display_name == "Alice Rider"
    assert alice.email == f"user2@{SITE}.invalid"
    assert not alice.has_usable_password()
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Client().login(email=alice.email, password="")
    assert not Client().login(email=alice.email, password=alice.password)
    assert [person(4).handle, person(5).handle] == ["chloe-pedale", "member"]
    # Their addresses (under .invalid) receive no mail: nothing is even queued.
    with transaction.atomic():
        queue_email(EmailMessage("Hello", "A summary.", to=[alice.email]))
    assert not DBTaskResult.objects.filter(queue_name="email").exists()


def test_profiles_keep_location_website_and_a_sanitized_about_me(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    profile = Profile.objects.get(person=person(2))
    assert profile.location == "Lyon, France"
    assert "<script" not in profile.bio_html
    assert "alert(1)" not in profile.bio_html
    assert f'href="https://{SITE}/users/3"' in profile.bio_html
    assert profile.links == [
        {"label": "alice.example", "url": "https://alice.example/blog"},
        {"label": SITE, "url": f"https://{SITE}/users/2"},
    ]
    # A javascript: website is not a link.
    assert Profile.objects.get(person=person(4)).links == [
        {"label": SITE, "url": f"https://{SITE}/users/4"}
    ]


def test_the_community_bot_is_a_member_marked_as_a_bot(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    bot = ImportedUser.objects.get(source_id=-1)
    assert bot.is_bot
    assert bot.user.display_name == "Community"
    assert Membership.objects.get(person=bot.user, community=cargo).status == Status.ACTIVE
    assert origin(SourceKind.QUESTION, 4).post.author == bot.user
    assert not ImportedUser.objects.filter(is_bot=True).exclude(source_id=-1).exists()


def test_posts_of_deleted_accounts_are_kept_under_their_last_name(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    answer = origin(SourceKind.ANSWER, 3)
    assert answer.post.author is None
    assert (answer.author_name, answer.author_source_id) == ("Gone Rider", None)
    comment = origin(SourceKind.COMMENT, 2)
    assert (comment.post.author, comment.author_name) == (None, "Anon Commenter")
    assert ActivityEvent.objects.get(verb="answer.posted", object_id=answer.post_id).actor is None


def test_bodies_are_sanitized_links_absolute_and_images_links(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    post = origin(SourceKind.QUESTION, 1).post
    assert "<script" not in post.body_html
    assert "steal()" not in post.body_html
    assert "<img" not in post.body_html
    assert 'href="https://i.stack.imgur.com/wobble.png"' in post.body_html
    assert "[a wobbly wheel]" in post.body_html
    assert f'href="https://{SITE}/questions/4"' in post.body_html
    assert post.body == post.body_html
    comment = origin(SourceKind.COMMENT, 2).post
    assert "<em>quarter</em>" in comment.body_html
    assert "<code>spoke-key</code>" in comment.body_html


def test_attribution_and_licence_are_recorded_for_each_post(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    question = origin(SourceKind.QUESTION, 1)
    assert (question.author_name, question.author_source_id) == ("Alice Rider", 2)
    assert question.license == "CC BY-SA 3.0"
    assert question.source_url == f"https://{SITE}/q/1"
    assert question.author_url == f"https://{SITE}/users/2"
    assert question.license_url == "https://creativecommons.org/licenses/by-sa/3.0/"
    assert origin(SourceKind.ANSWER, 6).source_url == f"https://{SITE}/a/6"
    assert origin(SourceKind.COMMENT, 4).source_url == f"https://{SITE}/questions/5#comment4_6"
    assert origin(SourceKind.COMMENT, 4).license == "CC BY-SA 4.0"


def test_a_closed_question_is_a_locked_topic(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    assert origin(SourceKind.QUESTION, 4).post.topic.is_locked
    assert not origin(SourceKind.QUESTION, 1).post.topic.is_locked


def test_tags_join_the_vocabulary_with_their_excerpts(cargo: Community, coordinator: User) -> None:
    Tag.objects.create(community=cargo, name="Repair", slug="repair")
    run_import(MODERN, "--quiet")
    tags = dict(Tag.objects.filter(community=cargo).values_list("slug", "description"))
    assert tags == {
        "wheels": "Rims, hubs and spokes.",
        "repair": "",
        "meta": "",
        "c-plus-plus": "",
        "c-sharp": "",
        "unused-tag": "",
    }
    topic = origin(SourceKind.QUESTION, 1).post.topic
    assert sorted(topic.tags.values_list("slug", flat=True)) == ["repair", "wheels"]
    language = origin(SourceKind.QUESTION, 5).post.topic
    assert sorted(language.tags.values_list("name", flat=True)) == ["c#", "c++"]
    document = SearchDocument.objects.get(kind="topic", object_id=topic.pk)
    assert sorted(document.tags.split()) == ["repair", "wheels"]


def test_up_votes_with_a_known_voter_become_their_reactions(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    reaction = Reaction.objects.get()
    assert (reaction.post, reaction.person, reaction.kind) == (
        origin(SourceKind.QUESTION, 5).post,
        person(3),
        "helpful",
    )
    assert reaction.created_at == at("2015-05-02")
    assert origin(SourceKind.QUESTION, 1).upvotes == 3
    assert origin(SourceKind.ANSWER, 2).downvotes == 1


def test_badges_become_custom_badges_each_held_once(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    badges = dict(CustomBadge.objects.filter(community=cargo).values_list("name", "emoji"))
    assert badges == {
        "Autobiographer": "🥉",
        "Nice Answer": "🥉",
        "wheels (bronze)": "🥉",
        "wheels (silver)": "🥈",
    }
    awards = {
        (badge, name): awarded_at
        for badge, name, awarded_at in BadgeAward.objects.values_list(
            "custom_badge__name", "person__display_name", "awarded_at"
        )
    }
    assert awards == {
        ("Autobiographer", "Alice Rider"): at("2015-02-01T09:00"),
        ("Nice Answer", "Bob Spokes"): at("2015-03-10T10:00"),  # earned twice, held once
        ("wheels (bronze)", "Alice Rider"): at("2015-05-10T10:00"),
        ("wheels (silver)", "Alice Rider"): at("2015-06-10T10:00"),
    }
    assert ActivityEvent.objects.filter(verb="badge.awarded").count() == 4


# --- An early dump ------------------------------------------------------------------------------


def test_an_early_dump_in_lower_case_without_tags_licences_or_badge_classes(
    cargo: Community,
) -> None:
    run_import(EARLY, "--quiet", "--site", "early.stackexchange.com")
    licences = dict(
        ImportedPost.objects.values_list("source_id", "license").filter(source_kind="question")
    )
    assert licences == {1: "CC BY-SA 2.5", 3: "CC BY-SA 4.0"}
    assert origin(SourceKind.ANSWER, 2).license == "CC BY-SA 3.0"
    assert sorted(Tag.objects.filter(community=cargo).values_list("slug", flat=True)) == [
        "discussion",
        "first-steps",
    ]
    # "|discussion|", the tag format of recent dumps, reads the same.
    assert list(origin(SourceKind.QUESTION, 3).post.topic.tags.values_list("slug", flat=True)) == [
        "discussion"
    ]
    nameless = origin(SourceKind.QUESTION, 3)
    assert (nameless.post.author, nameless.author_name) == (None, "")
    badge = CustomBadge.objects.get(community=cargo)
    assert (badge.name, badge.emoji) == ("Teacher", "🏅")
    topic = origin(SourceKind.QUESTION, 1).post.topic
    assert topic.accepted_answer == origin(SourceKind.ANSWER, 2).post
    assert topic.solved_at == at("2011-05-01T10:00:00")  # the vote's day, but not before the answer
    assert ActivityEvent.objects.get(
        verb="reaction.helpful", object_id=topic.posts.get(position=0).pk
    ).created_at == at("2011-03-05")


def test_the_site_is_named_after_the_folder_unless_given(tmp_path: Path) -> None:
    assert stackexchange.site_from_directory(Path("/dumps/bicycles-meta")) == (
        "bicycles.meta.stackexchange.com"
    )
    assert stackexchange.site_from_directory(Path("/dumps/Cooking")) == "cooking.stackexchange.com"
    assert stackexchange.site_from_directory(Path("/dumps/superuser.com")) == "superuser.com"


# --- Safety ---------------------------------------------------------------------------------------


def test_importing_twice_changes_nothing(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    before = row_counts()
    out, _err = run_import(MODERN)
    assert row_counts() == before
    assert out == f"{SITE} is already imported into Cargo: nothing changed.\n"


def test_the_same_site_into_another_community_reuses_its_people(
    cargo: Community, coordinator: User
) -> None:
    run_import(MODERN, "--quiet")
    community(coordinator, slug="lab")
    people = User.objects.count()
    run_import(MODERN, "--quiet", slug="lab")
    assert User.objects.count() == people
    lab = Community.objects.get(slug="lab")
    assert (
        Membership.objects.filter(community=lab, person__imported_from__isnull=False).count() == 5
    )
    assert Topic.objects.filter(community=lab).count() == 3


def _missing_posts(folder: Path) -> None:
    (folder / "Posts.xml").unlink()


def _truncated_posts(folder: Path) -> None:
    path = folder / "Posts.xml"
    text = path.read_bytes()
    path.write_bytes(text[: text.index(b'<row Id="4"') + 40])


def _broken_comments(folder: Path) -> None:
    path = folder / "Comments.xml"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace('Text="Thanks, that helps', 'Text="Thanks <that> "helps'))


def _latin1_users(folder: Path) -> None:
    path = folder / "Users.xml"
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("latin-1", errors="replace"))


def _orphan_answer(folder: Path) -> None:
    path = folder / "Posts.xml"
    path.write_text(path.read_text(encoding="utf-8-sig").replace('ParentId="5"', 'ParentId="999"'))


def _broken_badges(folder: Path) -> None:
    path = folder / "Badges.xml"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace('Answer" Date="2015-04-10', 'Answer Date="2015-04-10'))


def _bad_vote_date(folder: Path) -> None:
    path = folder / "Votes.xml"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace('CreationDate="2015-03-04"', 'CreationDate="yesterday"'))


def _empty_comments(folder: Path) -> None:
    (folder / "Comments.xml").write_bytes(b"")


def _twice_the_same_user(folder: Path) -> None:
    path = folder / "Users.xml"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace('<row Id="5"', '<row Id="3"'))


def _line_of(folder: Path, name: str, needle: str) -> int:
    """The line where `needle` is, found here without the importer."""
    lines = (folder / name).read_bytes().decode("utf-8", errors="replace").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


BAD_DUMPS: list[tuple[str, Callable[[Path], None], str, str | None, str]] = [
    # (case, damage, file, needle of the line at fault or None, words of the message)
    ("missing file", _missing_posts, "Posts.xml", None, "the dump has no Posts.xml"),
    ("truncated file", _truncated_posts, "Posts.xml", '<row Id="4"', "truncated"),
    ("broken XML", _broken_comments, "Comments.xml", '<row Id="4"', "broken XML"),
    ("wrong encoding", _latin1_users, "Users.xml", '<row Id="4"', "not in UTF-8"),
    ("answer without question", _orphan_answer, "Posts.xml", '<row Id="6"', "question 999"),
    ("broken last file", _broken_badges, "Badges.xml", '<row Id="3"', "broken XML"),
    ("bad date", _bad_vote_date, "Votes.xml", "yesterday", "'yesterday' is not a date"),
    ("empty file", _empty_comments, "Comments.xml", None, "empty or truncated"),
    ("same id twice", _twice_the_same_user, "Users.xml", "Дмитрий", "Id 3 appears twice"),
]


@pytest.mark.parametrize(
    ("damage", "file", "needle", "words"),
    [case[1:] for case in BAD_DUMPS],
    ids=[case[0] for case in BAD_DUMPS],
)
def test_a_bad_dump_stops_with_its_file_and_line_and_writes_nothing(
    cargo: Community,
    tmp_path: Path,
    damage: Callable[[Path], None],
    file: str,
    needle: str | None,
    words: str,
) -> None:
    folder = tmp_path / "dump"
    shutil.copytree(MODERN, folder)
    damage(folder)
    before = row_counts()
    with pytest.raises(CommandError) as raised:
        run_import(folder, "--quiet")
    message = str(raised.value)
    assert file in message
    assert words in message
    assert message.endswith("Nothing was imported.")
    if needle is not None:
        assert f"{file}, line {_line_of(folder, file, needle)}:" in message
    elif file == "Comments.xml":
        assert f"{file}, line 1:" in message
    assert row_counts() == before


def test_an_interrupted_import_leaves_nothing_behind(
    cargo: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(stackexchange, "award_badges", interrupted)
    before = row_counts()
    with pytest.raises(KeyboardInterrupt):
        run_import(MODERN, "--quiet")
    assert row_counts() == before
    # Live writes get their own times again.
    created = Post._meta.get_field("created_at")
    assert isinstance(created, models.DateTimeField)
    assert created.auto_now_add


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--community", "nowhere"], "No community has the address “nowhere”"),
        (["--community", "cargo", "--space", "nowhere"], "The community has no space “nowhere”."),
        (["--community", "cargo", "--site", "not a host"], "is not a host name"),
    ],
)
def test_a_wrong_option_is_told_plainly(cargo: Community, options: list[str], words: str) -> None:
    with pytest.raises(CommandError, match=words):
        call_command("import", "stackexchange", str(MODERN), *options)
    assert not ImportedSite.objects.exists()


def test_a_missing_folder_is_told_plainly(cargo: Community, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such folder"):
        run_import(tmp_path / "nowhere")


# --- Who sees imported content ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "visibility"),
    [(Audience.INTERNAL, Visibility.PUBLIC), (Audience.EXTERNAL, Visibility.MEMBERS)],
)
def test_imported_posts_follow_the_communitys_type_in_search(
    coordinator: User, charlie: User, alice: User, audience: str, visibility: str
) -> None:
    # Alice and Charlie have addresses of the organization: both are internal people.
    internal_domain("example.org")
    where = community(coordinator, audience=audience, visibility=visibility)
    join(alice, where)
    run_import(MODERN, "--quiet")
    outsiders: list[User | AnonymousUser] = [
        AnonymousUser(),
        make_person("olga@elsewhere.example", "Olga Outside"),
    ]
    if visibility == Visibility.MEMBERS:
        outsiders.append(charlie)
    for outsider in outsiders:
        hits, total = search(outsider, "wheel", NO_FILTERS)
        assert (hits, total) == ([], 0)
    hits, total = search(alice, "wheel", NO_FILTERS)
    assert total >= 1
    topic = origin(SourceKind.QUESTION, 1).post.topic
    assert client_for(None).get(topic.get_absolute_url()).status_code in (302, 403, 404)
    assert "true a wheel" in html(client_for(alice), topic.get_absolute_url())


def test_a_public_communitys_imported_posts_are_found_by_anyone(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    hits, _total = search(AnonymousUser(), "spoke key", NO_FILTERS)
    assert ("post", origin(SourceKind.ANSWER, 2).post_id) in {
        (hit.kind, hit.object_id) for hit in hits
    }


# --- What readers see -----------------------------------------------------------------------------


def test_the_topic_page_credits_each_post_with_its_source_and_licence(cargo: Community) -> None:
    run_import(MODERN, "--quiet")
    topic = origin(SourceKind.QUESTION, 1).post.topic
    page = html(client_for(None), topic.get_absolute_url())
    assert f'By <a href="https://{SITE}/users/2" rel="nofollow noopener">Alice Rider</a>' in page
    assert f'<a href="https://{SITE}/q/1" rel="nofollow noopener">{SITE}</a>' in page
    assert '<a href="https://creativecommons.org/licenses/by-sa/3.0/" rel="license' in page
    assert "3 up-votes there" in page
    assert "By Gone Rider on" in page
    assert "By Anon Commenter on" in page
    assert "Accepted answer" in page
    assert "steal()" not in page


def test_a_post_without_any_name_is_credited_to_a_former_member(cargo: Community) -> None:
    run_import(EARLY, "--quiet")
    topic = origin(SourceKind.QUESTION, 3).post.topic
    page = html(client_for(None), topic.get_absolute_url())
    assert "By a former member on" in page
    assert "CC BY-SA 4.0" in page


def test_the_topic_page_asks_the_same_queries_however_many_posts_are_imported(
    cargo: Community,
) -> None:
    run_import(MODERN, "--quiet")
    client = client_for(None)
    counts = []
    for question in [4, 5, 1]:  # 0, 2 and 4 replies
        topic = origin(SourceKind.QUESTION, question).post.topic
        with CaptureQueriesContext(connection) as queries:
            html(client, topic.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_a_page_without_imported_posts_still_renders(cargo: Community, coordinator: User) -> None:
    topic = conversation_actions.do_start_topic(
        coordinator, cargo.spaces.get(is_default=True), kind="question", title="Live", body="Hi"
    )
    page = html(client_for(coordinator), topic.get_absolute_url())
    assert "post__source" not in page


# --- Progress and the command line ------------------------------------------------------------


def test_progress_shows_each_step_with_counts_and_rate_unless_quiet(cargo: Community) -> None:
    out, err = run_import(MODERN)
    steps = err.splitlines()
    assert [line.split()[0] for line in steps] == [
        "Checking",
        "Checking",
        "Checking",
        "Users.xml",
        "Tags.xml",
        "Posts.xml",
        "Comments.xml",
        "Votes.xml",
        "Badges.xml",
    ]
    assert all("rows/s" in line and "100%" in line for line in steps)
    assert "8 rows" in steps[5]
    assert out.startswith(f"Imported {SITE} into Cargo in ")
    assert "questions 3, answers 3, comments 3" in out


def test_on_a_terminal_the_bar_redraws_in_place() -> None:
    written: list[str] = []
    progress = Progress(written.append, interactive=True)
    progress.start("Posts.xml")
    progress.update(10, 0.5)
    progress.finish(20)
    text = "".join(written)
    assert text.startswith("\rPosts.xml")
    assert "[" + "#" * 24 + "] 100%" in text
    assert "20 rows" in text
    assert text.endswith("\n")


def test_the_command_explains_itself_and_exits_non_zero_on_a_bad_dump(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = migrated_operator_env(migrated_sqlite, tmp_path / "var")
    help_text = run_cercle("import", "stackexchange", "--help", env=env)
    assert help_text.returncode == 0
    for words in ["--community SLUG", "--quiet", "--site HOST", "CC BY-SA", "nothing"]:
        assert words in help_text.stdout
    assert "stackexchange" in run_cercle("import", "--help", env=env).stdout
    made = run_cercle(
        "shell",
        "-c",
        "from tests.communities import community; from tests.conftest import make_person; "
        "community(make_person('claire@example.org', 'Claire'))",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    broken = tmp_path / "broken"
    shutil.copytree(MODERN, broken)
    _orphan_answer(broken)
    failed = run_cercle("import", "stackexchange", str(broken), "--community", "cargo", env=env)
    assert failed.returncode == 1
    line = _line_of(broken, "Posts.xml", '<row Id="6"')
    assert f"Posts.xml, line {line}:" in failed.stderr
    done = run_cercle("import", "stackexchange", str(MODERN), "--community", "cargo", env=env)
    assert done.returncode == 0, done.stderr
    assert "questions 3" in done.stdout
    again = run_cercle(
        "import", "stackexchange", str(MODERN), "--community", "cargo", "--quiet", env=env
    )
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
