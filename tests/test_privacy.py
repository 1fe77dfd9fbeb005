"""Data rights: the export of everything about a person, and erasure (docs/privacy.md)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activities.models import Attempt, Poll, PollChoice, Quiz
from cercle.activities.models import Ballot as PollBallot
from cercle.activity.models import ActivityEvent
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.badges.models import BadgeAward
from cercle.communities.models import Community, Space
from cercle.contests.models import Contest, Entry
from cercle.conversations import actions as conversations
from cercle.conversations.models import Attachment, Draft, Post, PostRevision, Topic
from cercle.events.models import RSVP, Event
from cercle.ideas.models import Idea, IdeaVote
from cercle.membership import actions as community_actions
from cercle.notifications.models import Notification
from cercle.people.models import FieldVisibility, Follow, Profile
from cercle.personas.models import Persona
from cercle.privacy.coverage import COVERAGE, SECTION_TITLES, Excluded, Exported
from cercle.privacy.erasure import summary
from cercle.privacy.export import person_relations
from cercle.privacy.models import DataExport, ExportStatus
from cercle.value.models import ValueStory
from tests.communities import PASSWORD, client_for, staff_person


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    settings.CERCLE_EXPORTS_ROOT = tmp_path / "exports"


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what waits for the transaction's commit (the task, the emails) at once."""

    def run(call: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


COMMIT: list[Any] = []


@pytest.fixture(autouse=True)
def _commit(commit: Any) -> Any:
    COMMIT[:] = [commit]
    return commit


def _ready_export(client: Client, person: User) -> DataExport:
    response = COMMIT[0](client.post, reverse("privacy_data"))
    assert response.status_code == 302
    data_export = DataExport.objects.get(person=person)
    assert data_export.status == ExportStatus.READY, data_export.status
    return data_export


# --- Every relation to a person is exported or excluded with a reason ---------------------


def test_every_model_pointing_to_a_person_is_exported_or_excluded_with_a_reason() -> None:
    labels = [label for label, _field in person_relations()]
    assert len(labels) > 80
    missing = [label for label in labels if label not in COVERAGE]
    assert missing == [], (
        f"add these to cercle/privacy/coverage.py, exported or excluded with a reason: {missing}"
    )
    stale = [label for label in COVERAGE if label not in labels]
    assert stale == [], f"these no longer point to a person: {stale}"
    for label, cover in COVERAGE.items():
        if isinstance(cover, Excluded):
            assert len(cover.reason) > 20, label
        else:
            assert cover.section in SECTION_TITLES, f"give {cover.section} a title"


def test_the_coverage_test_would_catch_a_new_relation(monkeypatch: pytest.MonkeyPatch) -> None:
    trimmed = dict(COVERAGE)
    del trimmed["ideas.IdeaVote.person"]
    monkeypatch.setattr("tests.test_privacy.COVERAGE", trimmed)
    with pytest.raises(AssertionError, match=r"ideas\.IdeaVote\.person"):
        test_every_model_pointing_to_a_person_is_exported_or_excluded_with_a_reason()


# --- The export ---------------------------------------------------------------------------


def _content_in_every_kind(alice: User, bob: User, cargo: Community, general: Space) -> None:
    """Alice writes, votes, reacts, follows, uploads... in every kind."""
    topic = conversations.do_start_topic(
        alice, general, kind="discussion", title="Alice's wheel question", body="My wheel wobbles."
    )
    bobs = conversations.do_start_topic(
        bob, general, kind="discussion", title="Bob's public topic", body="Hello @alice-martin"
    )
    reply = conversations.do_reply(alice, bobs, body="Alice replies to Bob.")
    conversations.do_edit_post(alice, reply, body="Alice replies to Bob, edited.")
    conversations.do_toggle_reaction(alice, bobs.posts.get(position=0), "thanks")
    attachment = Attachment.objects.create(
        community=cargo,
        post=topic.posts.get(position=0),
        uploader=alice,
        original_name="wheel.txt",
        content_type="text/plain",
        size=11,
    )
    attachment.file.save("wheel.txt", ContentFile(b"wheel photo"))
    Draft.objects.create(person=alice, space=general, topic=bobs, body="Half-written thought")
    Follow.objects.create(follower=alice, person=bob)
    Follow.objects.create(follower=alice, space=general)
    profile = Profile.objects.create(person=alice, headline="Bike mechanic in Lyon")
    profile.avatar.save("me.png", ContentFile(b"\x89PNG fake"))
    poll = Poll.objects.create(community=cargo, space=general, title="Which day?", created_by=bob)
    choice = PollChoice.objects.create(poll=poll, label="Monday")
    ballot = PollBallot.objects.create(poll=poll, voter=alice)
    ballot.choices.add(choice)
    quiz = Quiz.objects.create(community=cargo, space=general, title="Bike quiz", created_by=bob)
    Attempt.objects.create(quiz=quiz, person=alice, score=2, total=3)
    now = timezone.now()
    contest = Contest.objects.create(
        community=cargo,
        space=general,
        title="Best repair",
        brief="b",
        rules="r",
        submissions_open_at=now,
        submissions_close_at=now + timedelta(days=1),
        voting_open_at=now + timedelta(days=2),
        voting_close_at=now + timedelta(days=3),
    )
    Entry.objects.create(
        contest=contest, author=alice, title="Alice's entry", submitted_at=now, updated_at=now
    )
    idea = Idea.objects.create(community=cargo, space=general, title="Alice's idea", author=alice)
    bobs_idea = Idea.objects.create(community=cargo, space=general, title="Bob's idea", author=bob)
    IdeaVote.objects.create(idea=bobs_idea, person=alice)
    del idea
    ValueStory.objects.create(
        community=cargo, author=alice, cycle="immediate", title="Alice's story", text="t"
    )
    persona = Persona.objects.create(community=cargo, name="The Workshop", slug="workshop")
    persona.speakers.add(alice)
    event = Event.objects.create(
        community=cargo,
        space=general,
        title="Repair café",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        time_zone="Europe/Paris",
    )
    RSVP.objects.create(event=event, person=alice, response="going", changed_at=now)
    BadgeAward.objects.create(person=alice, community=cargo, badge_key="first_post")


def test_a_person_with_content_in_every_kind_gets_all_of_it_and_nothing_private_of_others(
    alice: User,
    bob: User,
    coordinator: User,
    cargo: Community,
    general: Space,
    lab: Space,
    alice_client: Client,
    immediate_tasks: None,
) -> None:
    _content_in_every_kind(alice, bob, cargo, general)
    # Bob's profile field hidden from everyone but him.
    Profile.objects.create(
        person=bob,
        organization="Bob's secret employer",
        organization_visibility=FieldVisibility.ONLY_ME,
    )
    # In the private lab, Bob opens a topic, Alice replies; then Alice is removed.
    community_actions.do_list_in_space(coordinator, lab, bob)
    secret = conversations.do_start_topic(
        bob, lab, kind="discussion", title="Secret plans", body="Bob's confidential words"
    )
    conversations.do_reply(alice, secret, body="Alice's own words in the lab")
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    mail.outbox.clear()

    data_export = _ready_export(alice_client, alice)
    assert data_export.expires_at is not None
    assert data_export.expires_at - data_export.ready_at == timedelta(days=7)  # type: ignore[operator]
    # The email says it is ready, with the account page's link.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert reverse("privacy_data") in str(mail.outbox[0].body)

    response = alice_client.get(reverse("privacy_download", args=[data_export.pk]))
    assert response.status_code == 200
    archive = _zip(response)
    names = archive.namelist()
    assert {"data.json", "index.html"} <= set(names)
    assert any(name.startswith("files/uploads/") for name in names)
    assert any(name.startswith("files/profile/") for name in names)
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == alice.email
    for section in [
        "email_addresses",
        "profile",
        "memberships",
        "topics",
        "posts",
        "post_revisions",
        "reactions",
        "poll_votes",
        "rsvps",
        "quiz_attempts",
        "contest_entries",
        "ideas",
        "idea_votes",
        "value_stories",
        "personas_spoken_as",
        "follows",
        "notifications",
        "drafts",
        "uploads",
        "activity",
        "badges",
        "security_log",
        "data_exports",
    ]:
        assert data.get(section), f"{section} is empty"
    bodies = [post["body"] for post in data["posts"]]
    assert "Alice's own words in the lab" in bodies
    assert "Alice replies to Bob, edited." in bodies
    assert data["poll_votes"][0]["choices"] == [PollChoice.objects.get().pk]
    assert data["profile"][0]["headline"] == "Bike mechanic in Lyon"
    assert data["personas_spoken_as"][0]["name"] == "The Workshop"
    assert {row["kind"] for row in data["security_log"]} >= {SecurityKind.EXPORT_REQUESTED}
    followed = [row["person"] for row in data["follows"] if row["person"]]
    assert followed == ["Bob Leroy"]
    # The title of a conversation she can still read; a placeholder for the lab's.
    titles = {row["conversation"] for row in data["posts"]}
    assert "Bob's public topic" in titles
    assert "[a conversation you can no longer read]" in titles
    everything = (archive.read("data.json") + archive.read("index.html")).decode()
    for private in ["Secret plans", "Bob's confidential words", "Bob's secret employer", bob.email]:
        assert private not in everything, private
    # Others are "another member", never named by their id.
    assert '"author": "another member"' not in everything  # only her own rows
    html = archive.read("index.html").decode()
    assert "wheel question" in html
    assert '<html lang="en">' in html


def test_the_readable_page_is_in_the_persons_language(
    alice: User, alice_client: Client, immediate_tasks: None
) -> None:
    alice.language = "fr"
    alice.save()
    data_export = _ready_export(alice_client, alice)
    archive = _zip(alice_client.get(reverse("privacy_download", args=[data_export.pk])))
    html = archive.read("index.html").decode()
    assert '<html lang="fr">' in html
    assert "Les données de Alice Martin" in html


def test_only_the_person_downloads_and_each_download_is_recorded(
    alice: User, bob: User, alice_client: Client, immediate_tasks: None
) -> None:
    data_export = _ready_export(alice_client, alice)
    url = reverse("privacy_download", args=[data_export.pk])
    assert client_for(bob).get(url).status_code == 404
    assert client_for(staff_person()).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page
    assert alice_client.get(url).status_code == 200
    data_export.refresh_from_db()
    assert data_export.downloaded_at is not None
    downloaded = SecurityEvent.objects.get(kind=SecurityKind.EXPORT_DOWNLOADED)
    assert (downloaded.subject, downloaded.actor) == (alice, alice)
    requested = SecurityEvent.objects.get(kind=SecurityKind.EXPORT_REQUESTED)
    assert requested.subject == alice


def test_one_pending_export_at_a_time(alice: User, alice_client: Client) -> None:
    # The database backend: the task waits for a worker, the export stays pending.
    alice_client.post(reverse("privacy_data"))
    response = alice_client.post(reverse("privacy_data"), follow=True)
    assert "already being prepared" in response.content.decode()
    assert DataExport.objects.filter(person=alice).count() == 1
    page = alice_client.get(reverse("privacy_data")).content.decode()
    assert "being prepared" in page
    assert "Ask for a copy of my data" not in page


def test_an_expired_export_is_deleted_by_the_daily_job(
    alice: User, alice_client: Client, immediate_tasks: None
) -> None:
    data_export = _ready_export(alice_client, alice)
    path = data_export.path
    assert path is not None
    assert path.exists()
    call_command("expire_data_exports", stdout=io.StringIO())
    assert path.exists()  # not yet
    DataExport.objects.filter(pk=data_export.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    out = io.StringIO()
    call_command("expire_data_exports", stdout=out)
    assert "1 export(s) expired." in out.getvalue()
    assert not path.exists()
    data_export.refresh_from_db()
    assert (data_export.status, data_export.file) == (ExportStatus.EXPIRED, "")
    response = alice_client.get(reverse("privacy_download", args=[data_export.pk]))
    assert response.status_code == 404


def test_staff_prepare_an_export_for_a_person_who_alone_receives_it(
    alice: User, immediate_tasks: None
) -> None:
    operator = staff_person()
    staff = client_for(operator)
    refused = staff.post(reverse("privacy_staff_exports"), {"email": "nobody@example.org"})
    assert "Nobody has an account with this address." in refused.content.decode()
    assert not DataExport.objects.exists()
    COMMIT[0](staff.post, reverse("privacy_staff_exports"), {"email": alice.email.upper()})
    data_export = DataExport.objects.get(person=alice)
    assert (data_export.requested_by, data_export.status) == (operator, ExportStatus.READY)
    assert [message.to for message in mail.outbox] == [[alice.email]]
    requested = SecurityEvent.objects.get(kind=SecurityKind.EXPORT_REQUESTED)
    assert (requested.actor, requested.subject, requested.detail["by_staff"]) == (
        operator,
        alice,
        True,
    )
    url = reverse("privacy_download", args=[data_export.pk])
    assert staff.get(url).status_code == 404
    assert client_for(alice).get(url).status_code == 200


def test_members_cannot_reach_the_staff_page(alice: User, alice_client: Client) -> None:
    assert alice_client.get(reverse("privacy_staff_exports")).status_code == 404
    assert (
        alice_client.post(reverse("privacy_staff_exports"), {"email": alice.email}).status_code
        == 404
    )
    assert not DataExport.objects.exists()


# --- Erasure ------------------------------------------------------------------------------


def test_the_deletion_page_says_what_happens_to_each_kind_with_counts(
    alice: User, bob: User, cargo: Community, general: Space, alice_client: Client
) -> None:
    _content_in_every_kind(alice, bob, cargo, general)
    page = alice_client.get(reverse("account_delete")).content.decode()
    assert "2 posts" in page
    assert "1 topic nobody else replied to" in page
    assert "1 reaction" in page
    assert "2 votes" in page
    assert "1 idea" in page
    assert "Keep my contributions" in page
    assert "Erase my contributions" in page
    fates = {fate.key: fate.count for fate in summary(alice)}
    assert fates["posts"] == 2
    assert fates["contest_entries"] == 1


def test_bad_input_deletes_nothing(alice: User, alice_client: Client) -> None:
    for bad in [
        {"password": PASSWORD, "confirm": "on"},  # no choice
        {"password": PASSWORD, "confirm": "on", "contributions": "burn"},
        {"password": "wrong", "confirm": "on", "contributions": "erase"},
        {"password": PASSWORD, "contributions": "erase"},  # not confirmed
    ]:
        response = alice_client.post(reverse("account_delete"), bad)
        assert response.status_code == 200, bad
        assert User.objects.filter(pk=alice.pk).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityKind.ERASURE).exists()


def test_keeping_contributions_leaves_them_signed_by_a_former_member(
    alice: User,
    bob: User,
    cargo: Community,
    general: Space,
    alice_client: Client,
    immediate_tasks: None,
) -> None:
    _content_in_every_kind(alice, bob, cargo, general)
    mail.outbox.clear()
    response = COMMIT[0](
        alice_client.post,
        reverse("account_delete"),
        {"password": PASSWORD, "confirm": "on", "contributions": "keep"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    kept = Topic.objects.get(title="Alice's wheel question")
    assert kept.author is None
    assert Post.objects.filter(body="Alice replies to Bob, edited.", author=None).exists()
    assert Idea.objects.filter(title="Alice's idea", author=None).exists()
    erased = SecurityEvent.objects.get(kind=SecurityKind.ERASURE)
    assert erased.subject_label == "alice@example.org"
    assert erased.detail["contributions"] == "keep"
    assert erased.detail["counts"]["posts"] == 2
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert "signed “a former member”" in str(mail.outbox[0].body)


def test_erasing_contributions_leaves_tombstones_and_deletes_what_is_only_theirs(
    alice: User,
    bob: User,
    cargo: Community,
    general: Space,
    alice_client: Client,
    immediate_tasks: None,
) -> None:
    _content_in_every_kind(alice, bob, cargo, general)
    bobs = Topic.objects.get(title="Bob's public topic")
    # Bob answers Alice's reply: her topic is still hers alone.
    alice_topic = Topic.objects.get(title="Alice's wheel question")
    upload = Attachment.objects.get()
    stored = Path(upload.file.path)
    assert stored.exists()
    response = COMMIT[0](
        alice_client.post,
        reverse("account_delete"),
        {"password": PASSWORD, "confirm": "on", "contributions": "erase"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    # Her topic nobody answered is gone; in Bob's, her reply is a tombstone.
    assert not Topic.objects.filter(pk=alice_topic.pk).exists()
    tombstone = bobs.posts.get(position=1)
    assert (tombstone.body, tombstone.author, tombstone.deleted_at is not None) == ("", None, True)
    assert not PostRevision.objects.filter(post=tombstone).exclude(body="").exists()
    assert bobs.posts.get(position=0).body == "Hello @alice-martin"
    assert not Idea.objects.filter(title="Alice's idea").exists()
    assert Idea.objects.filter(title="Bob's idea").exists()
    assert not Entry.objects.exists()
    assert not ValueStory.objects.exists()
    assert not Attachment.objects.exists()
    assert not stored.exists()
    assert not Notification.objects.filter(recipient_id=alice.pk).exists()
    assert not ActivityEvent.objects.filter(actor_id=alice.pk).exists()
    erased = SecurityEvent.objects.get(kind=SecurityKind.ERASURE)
    assert (erased.subject_label, erased.detail["contributions"]) == ("alice@example.org", "erase")
    assert "erased" in str(mail.outbox[-1].body)


def test_exclusions_name_only_relations_that_exist() -> None:
    assert all(isinstance(cover, Exported | Excluded) for cover in COVERAGE.values())


def test_the_data_and_staff_pages_read_a_bounded_number_of_queries(
    alice: User, django_assert_max_num_queries: Any
) -> None:
    operator = staff_person()
    for _ in range(12):
        DataExport.objects.create(person=alice, requested_by=operator, status=ExportStatus.EXPIRED)
    alice_client = client_for(alice)
    staff = client_for(operator)
    with django_assert_max_num_queries(12):
        assert alice_client.get(reverse("privacy_data")).status_code == 200
    with django_assert_max_num_queries(12):
        page = staff.get(reverse("privacy_staff_exports")).content.decode()
    assert page.count(alice.email) == 12


def test_deleting_the_account_deletes_the_zips_of_its_exports(
    alice: User, alice_client: Client, immediate_tasks: None
) -> None:
    path = _ready_export(alice_client, alice).path
    assert path is not None
    assert path.exists()
    COMMIT[0](
        alice_client.post,
        reverse("account_delete"),
        {"password": PASSWORD, "confirm": "on", "contributions": "keep"},
    )
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not path.exists()


def test_the_daily_job_deletes_old_zips_no_row_names(
    alice: User, alice_client: Client, immediate_tasks: None
) -> None:
    data_export = _ready_export(alice_client, alice)
    path = data_export.path
    assert path is not None
    DataExport.objects.filter(pk=data_export.pk).delete()  # as the admin site would
    call_command("expire_data_exports", stdout=io.StringIO())
    assert path.exists()  # a young file may be one being written
    old = (timezone.now() - timedelta(days=1)).timestamp()
    os.utime(path, (old, old))
    call_command("expire_data_exports", stdout=io.StringIO())
    assert not path.exists()
