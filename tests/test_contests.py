"""Contests: animators plan them in the community's time zone; members submit one entry
each while entries are open; members who joined before the contest started vote (never
for themselves, never over the allowance) or a jury scores against written criteria;
results are ranked and announced once. Private spaces and unpublished contests stay
unseen, and refusals write nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from PIL import Image

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.animation import planning
from cercle.communities.models import Community, Role, Space
from cercle.contests import actions
from cercle.contests.actions import ContestPlan, CriterionSpec
from cercle.contests.models import Ballot, Contest, Entry, EntryFile, Mode, Score, Vote
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.notifications.models import Kind, Notification
from tests.communities import NAVIGATION_QUERIES, client_for, community, html, join
from tests.conftest import make_person

# A Monday morning in Paris (UTC+1 in winter).
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# The moments of the standard contest, created at START + 1 hour.
ENTRIES_OPEN = START + HOUR
ENTRIES_CLOSE = START + 3 * DAY
VOTING_OPEN = START + 3 * DAY
VOTING_CLOSE = START + 5 * DAY
DURING_ENTRIES = START + DAY
DURING_VOTING = START + 4 * DAY
AFTER_VOTING = START + 6 * DAY


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock(db: None) -> Iterator[time_machine.Traveller]:
    """Time stands still at START until a test moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cargo(clock: time_machine.Traveller, coordinator: User, alice: User, bob: User) -> Community:
    """Claire coordinates; Alice and Bob joined at START, before any contest."""
    return community(coordinator, time_zone="Europe/Paris", members=(alice, bob))


@pytest.fixture
def dora(cargo: Community) -> User:
    """A third member, joined at START too."""
    person = make_person("dora@example.org", "Dora Vélo")
    join(person, cargo)
    return person


def plan(**values: Any) -> ContestPlan:
    defaults: dict[str, Any] = {
        "submissions_open_at": ENTRIES_OPEN,
        "submissions_close_at": ENTRIES_CLOSE,
        "voting_open_at": VOTING_OPEN,
        "voting_close_at": VOTING_CLOSE,
    }
    return ContestPlan(**(defaults | values))


def jury_plan(*handles: str, **values: Any) -> ContestPlan:
    return plan(
        mode=Mode.JURY,
        juror_handles=handles,
        criteria=[
            CriterionSpec("Originality", "Something we have not seen", 10),
            CriterionSpec("Usefulness", "Would others use it?", 5),
        ],
        **values,
    )


def create(
    animator: User,
    space: Space,
    title: str = "Best cargo bike hack",
    contest_plan: ContestPlan | None = None,
) -> Contest:
    """A contest created (and published at once) at START + 1 hour."""
    with time_machine.travel(ENTRIES_OPEN, tick=False):
        return actions.do_create_contest(
            animator,
            space,
            title=title,
            brief="Show us your **best** hack.",
            rules="One entry per member. Photos welcome.",
            plan=contest_plan or plan(),
        )


def submit(person: User, contest: Contest, title: str = "Rain cover", **values: Any) -> Entry:
    values.setdefault("text", "A cover made of an old tent.")
    return actions.do_submit_entry(person, fresh(contest), title=title, **values)


def fresh(contest: Contest) -> Contest:
    return Contest.objects.select_related("community", "space", "created_by").get(pk=contest.pk)


def entry_of(entry: Entry) -> Entry:
    return Entry.objects.select_related("contest__community", "contest__space").get(pk=entry.pk)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 93, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def contest(cargo: Community, coordinator: User, general: Space) -> Contest:
    return create(coordinator, general)


@pytest.fixture
def entries(
    clock: time_machine.Traveller, contest: Contest, alice: User, bob: User, dora: User
) -> list[Entry]:
    """Alice, Bob and Dora each submitted an entry, in this order."""
    found = []
    for number, person in enumerate([alice, bob, dora]):
        clock.move_to(DURING_ENTRIES + number * HOUR)
        found.append(submit(person, contest, title=f"Hack of {person.display_name}"))
    return found


# --- Planning ---------------------------------------------------------------------------------


def test_an_animator_creates_a_contest_with_times_in_the_community_time_zone(
    cargo: Community, coordinator: User, general: Space
) -> None:
    client = client_for(coordinator)
    assert "datetime-local" in html(client, "/c/cargo/contests/new/")
    response = client.post(
        "/c/cargo/contests/new/",
        {
            "title": "Best cargo bike hack",
            "space": general.pk,
            "brief": "Show us your **best** hack.",
            "rules": "One entry per member.",
            "publish_at": "",
            "submissions_open_at": "2026-03-02T10:00",
            "submissions_close_at": "2026-03-16T10:00",
            "voting_open_at": "2026-03-16T10:00",
            # After the change to summer time on 29 March: UTC+2.
            "voting_close_at": "2026-03-30T20:00",
            "mode": "vote",
            "votes_per_member": "2",
            "winner_count": "3",
            "hide_authors": "on",
            "jurors": "",
            "criteria-TOTAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
        },
    )
    created = Contest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.submissions_open_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert created.voting_close_at == datetime(2026, 3, 30, 18, 0, tzinfo=UTC)
    assert created.votes_per_member == 2
    assert created.is_published
    assert "<strong>best</strong>" in created.brief_html
    page = html(client, created.get_absolute_url())
    assert "Europe/Paris" in page
    # Shown back in Paris time, before and after the change to summer time.
    assert "from 2 March 2026, 10:00 to 16 March 2026, 10:00" in page
    assert "to 30 March 2026, 20:00" in page


def test_the_new_contest_form_is_prefilled_from_the_calendar_link(
    cargo: Community, coordinator: User
) -> None:
    lab_space = community_actions.do_create_space(coordinator, cargo, name="Workshop")
    page = html(
        client_for(coordinator),
        "/c/cargo/contests/new/?publish_at=2026-03-10T09:30&space=workshop",
    )
    assert 'name="publish_at" value="2026-03-10T09:30"' in page
    assert f'<option value="{lab_space.pk}" selected>' in page
    # Entries open when the contest is published.
    assert 'name="submissions_open_at" value="2026-03-10T09:30"' in page


def test_members_may_not_plan_contests(cargo: Community, alice: User, general: Space) -> None:
    assert client_for(alice).get("/c/cargo/contests/new/").status_code == 404
    with pytest.raises(ActionRefused):
        actions.do_create_contest(alice, general, title="Mine", brief="b", rules="r", plan=plan())
    assert not Contest.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"submissions_close_at": ENTRIES_OPEN}, "Entries must close after they open"),
        ({"voting_open_at": ENTRIES_CLOSE - HOUR}, "Voting must open once entries are closed"),
        ({"voting_close_at": VOTING_OPEN}, "Voting must close after it opens"),
        ({"publish_at": ENTRIES_OPEN + DAY}, "Entries cannot open before the contest"),
        ({"votes_per_member": 0}, "between 1 and 50 votes"),
        ({"winner_count": 0}, "between 1 and 20 winners"),
        ({"mode": Mode.JURY, "juror_handles": ["alice-martin"]}, "at least one written criterion"),
    ],
)
def test_a_plan_that_breaks_a_rule_is_refused(
    cargo: Community, coordinator: User, general: Space, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        create(coordinator, general, contest_plan=plan(**values))
    assert not Contest.objects.exists()


def test_jurors_must_be_members_who_read_the_space(
    cargo: Community, coordinator: User, general: Space, alice: User, charlie: User
) -> None:
    with pytest.raises(ActionRefused, match="@charlie-outsider"):
        create(coordinator, general, contest_plan=jury_plan(alice.handle, charlie.handle))
    with pytest.raises(ActionRefused, match="at least one juror"):
        create(coordinator, general, contest_plan=jury_plan())
    created = create(coordinator, general, contest_plan=jury_plan("@" + alice.handle))
    assert created.juror_ids() == {alice.pk}
    assert [c.name for c in created.criteria.all()] == ["Originality", "Usefulness"]


def test_the_database_keeps_the_periods_in_order(contest: Contest) -> None:
    contest.voting_open_at = contest.submissions_open_at
    with pytest.raises(IntegrityError), transaction.atomic():
        contest.save()


def test_a_scheduled_contest_stays_unseen_by_members_until_it_is_published(
    clock: time_machine.Traveller,
    cargo: Community,
    coordinator: User,
    general: Space,
    alice: User,
) -> None:
    scheduled = create(
        coordinator,
        general,
        title="Secret summer contest",
        contest_plan=plan(publish_at=START + 2 * HOUR, submissions_open_at=START + 2 * HOUR),
    )
    assert not scheduled.is_published
    member = client_for(alice)
    assert member.get(scheduled.get_absolute_url()).status_code == 404
    assert "Secret summer contest" not in html(member, "/c/cargo/contests/")
    assert "Secret summer contest" not in html(member, "/c/cargo/")
    with pytest.raises(ActionRefused) as refusal:
        submit(alice, scheduled)
    assert refusal.value.not_found
    # Animators see it, marked as scheduled.
    page = html(client_for(coordinator), "/c/cargo/contests/")
    assert "Secret summer contest" in page
    assert "Scheduled" in page
    clock.move_to(START + 2 * HOUR)
    assert planning.publish_due() == 1
    assert "Secret summer contest" in html(member, scheduled.get_absolute_url())
    assert "Secret summer contest" in html(member, "/c/cargo/")


def test_only_the_texts_change_once_entries_are_open(
    clock: time_machine.Traveller, contest: Contest, coordinator: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    with pytest.raises(ActionRefused, match="only the title, the brief and the rules"):
        actions.do_edit_contest(
            coordinator,
            fresh(contest),
            title="New title",
            brief="b",
            rules="r",
            plan=plan(votes_per_member=10),
        )
    actions.do_edit_contest(
        coordinator, fresh(contest), title="Best hack of the year", brief="New brief", rules="r"
    )
    changed = fresh(contest)
    assert (changed.title, changed.votes_per_member) == ("Best hack of the year", 3)
    # The edit page offers only the texts.
    page = html(client_for(coordinator), f"{contest.get_absolute_url()}edit/")
    assert 'name="brief"' in page
    assert 'name="votes_per_member"' not in page


def test_before_entries_open_an_animator_changes_everything(
    cargo: Community, coordinator: User, general: Space, alice: User
) -> None:
    later = create(
        coordinator,
        general,
        contest_plan=plan(submissions_open_at=START + DAY),
    )
    actions.do_edit_contest(
        coordinator,
        fresh(later),
        title="Jury contest",
        brief="b",
        rules="r",
        plan=jury_plan(alice.handle, submissions_open_at=START + DAY),
    )
    changed = fresh(later)
    assert changed.mode == Mode.JURY
    assert changed.juror_ids() == {alice.pk}


def test_members_may_not_edit_or_delete_a_contest(
    contest: Contest, alice: User, coordinator: User
) -> None:
    member = client_for(alice)
    assert member.get(f"{contest.get_absolute_url()}edit/").status_code == 404
    assert member.post(f"{contest.get_absolute_url()}delete/").status_code == 404
    assert Contest.objects.filter(pk=contest.pk).exists()
    animator = client_for(coordinator)
    assert animator.post(f"{contest.get_absolute_url()}delete/").status_code == 302
    assert not Contest.objects.filter(pk=contest.pk).exists()


# --- Entries ----------------------------------------------------------------------------------


def test_a_member_submits_one_entry_recorded_at_level_three(
    clock: time_machine.Traveller, contest: Contest, alice: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    client = client_for(alice)
    response = client.post(
        f"{contest.get_absolute_url()}enter/",
        {
            "title": "Rain cover",
            "text": "Made of an *old tent*.",
            "attachments": [upload("cover.png", png(), "image/png")],
        },
    )
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == entry.get_absolute_url()
    assert entry.author == alice
    assert "<em>old tent</em>" in entry.text_html
    stored = EntryFile.objects.get()
    assert stored.content_type == "image/png"
    assert stored.original_name == "cover.png"
    assert "cover" not in stored.file.name
    event = ActivityEvent.objects.get(verb="contest.entry.submitted")
    assert (event.actor, event.level) == (alice, EngagementLevel.CREATE)
    # A second entry is refused, and the enter page leads to editing the first.
    with pytest.raises(ActionRefused, match="already have an entry"):
        submit(alice, contest, title="Second idea")
    assert client.get(f"{contest.get_absolute_url()}enter/")["Location"].endswith("edit/")
    assert Entry.objects.count() == 1


def test_the_database_allows_one_entry_per_member(
    clock: time_machine.Traveller, contest: Contest, alice: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    submit(alice, contest)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            contest=contest,
            author=alice,
            title="Twice",
            submitted_at=DURING_ENTRIES,
            updated_at=DURING_ENTRIES,
        )


def test_entries_are_taken_only_while_entries_are_open(
    clock: time_machine.Traveller, cargo: Community, coordinator: User, general: Space, alice: User
) -> None:
    upcoming = create(coordinator, general, contest_plan=plan(submissions_open_at=START + DAY))
    with pytest.raises(ActionRefused, match="does not take entries"):
        submit(alice, upcoming)
    clock.move_to(ENTRIES_CLOSE)
    with pytest.raises(ActionRefused, match="does not take entries"):
        submit(alice, upcoming)
    assert not Entry.objects.exists()


def test_an_entry_needs_a_text_or_a_file_and_files_are_checked_by_content(
    clock: time_machine.Traveller, contest: Contest, alice: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    with pytest.raises(ActionRefused, match="cannot be empty"):
        submit(alice, contest, text="")
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ActionRefused, match="cannot be attached"):
        submit(alice, contest, files=[upload("drawing.png", script, "image/png")])
    with pytest.raises(ActionRefused, match="at most 5 files"):
        submit(alice, contest, files=[upload(f"{n}.png", png(), "image/png") for n in range(6)])
    assert not Entry.objects.exists()
    assert not EntryFile.objects.exists()


def test_an_entry_is_edited_until_entries_close_and_may_be_withdrawn(
    clock: time_machine.Traveller, contest: Contest, alice: User, bob: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    entry = submit(alice, contest, files=[upload("a.png", png(), "image/png")])
    picture = EntryFile.objects.get()
    client = client_for(alice)
    response = client.post(
        f"{entry.get_absolute_url()}edit/",
        {"title": "Better rain cover", "text": "Now with a window.", "remove_files": [picture.pk]},
    )
    assert response.status_code == 302
    edited = entry_of(entry)
    assert (edited.title, edited.files.count()) == ("Better rain cover", 0)
    # Bob may not touch Alice's entry: he does not even see it yet.
    assert client_for(bob).get(f"{entry.get_absolute_url()}edit/").status_code == 404
    with pytest.raises(ActionRefused):
        actions.do_withdraw_entry(bob, entry_of(entry))
    clock.move_to(ENTRIES_CLOSE + HOUR)
    with pytest.raises(ActionRefused, match="Entries are closed"):
        actions.do_edit_entry(alice, entry_of(entry), title="Too late", text="x")
    with pytest.raises(ActionRefused, match="can no longer be withdrawn"):
        actions.do_withdraw_entry(alice, entry_of(entry))
    clock.move_to(DURING_ENTRIES)
    assert client.post(f"{entry.get_absolute_url()}withdraw/").status_code == 302
    assert not Entry.objects.exists()
    assert ActivityEvent.objects.filter(verb="contest.entry.withdrawn", actor=alice).exists()


def test_entries_are_private_until_voting_opens_then_shown_without_authors(
    clock: time_machine.Traveller, entries: list[Entry], alice: User, bob: User, contest: Contest
) -> None:
    alices = entries[0]
    clock.move_to(DURING_ENTRIES + 5 * HOUR)
    bobs_view = client_for(bob)
    assert bobs_view.get(alices.get_absolute_url()).status_code == 404
    page = html(bobs_view, contest.get_absolute_url())
    assert "Hack of Alice Martin" not in page
    assert "Hack of Bob Leroy" in page  # his own
    assert "The entries are shown to everyone when voting opens" in page
    clock.move_to(DURING_VOTING)
    page = html(bobs_view, contest.get_absolute_url())
    assert "Hack of Alice Martin" in page
    assert "by Alice Martin" not in page
    assert "Author hidden until the results" in page
    entry_page = html(bobs_view, alices.get_absolute_url())
    assert "by Alice Martin" not in entry_page.lower()


def test_entry_files_are_served_only_to_those_who_may_see_the_entry(
    clock: time_machine.Traveller,
    contest: Contest,
    alice: User,
    bob: User,
    charlie: User,
) -> None:
    clock.move_to(DURING_ENTRIES)
    submit(alice, contest, files=[upload("cover.png", png(), "image/png")])
    stored = EntryFile.objects.select_related("entry__contest__community").get()
    url = stored.get_absolute_url()
    response = client_for(alice).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]
    assert client_for(bob).get(url).status_code == 404
    clock.move_to(DURING_VOTING)
    assert client_for(bob).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 200  # a public community's open space
    assert client_for(charlie).get(url).status_code == 200


# --- Community vote -----------------------------------------------------------------------


def test_a_member_votes_within_the_allowance_and_never_for_themselves(
    clock: time_machine.Traveller, entries: list[Entry], alice: User, contest: Contest
) -> None:
    Contest.objects.filter(pk=contest.pk).update(votes_per_member=1)
    clock.move_to(DURING_VOTING)
    alices, bobs, doras = (entry_of(e) for e in entries)
    with pytest.raises(ActionRefused, match="your own entry"):
        actions.do_vote(alice, alices)
    actions.do_vote(alice, bobs)
    with pytest.raises(ActionRefused, match="already voted"):
        actions.do_vote(alice, entry_of(bobs))
    with pytest.raises(ActionRefused, match="used your 1 votes"):
        actions.do_vote(alice, doras)
    assert Vote.objects.filter(voter=alice).count() == 1
    # Taking a vote back frees it for another entry.
    assert actions.do_withdraw_vote(alice, entry_of(bobs))
    actions.do_vote(alice, entry_of(doras))
    assert list(Vote.objects.filter(voter=alice).values_list("entry_id", flat=True)) == [doras.pk]
    event = ActivityEvent.objects.filter(verb="contest.voted").first()
    assert event is not None
    assert (event.actor, event.level) == (alice, EngagementLevel.REACT)
    assert Ballot.objects.filter(voter=alice).count() == 1


def test_the_database_allows_one_vote_per_member_and_entry(
    clock: time_machine.Traveller, entries: list[Entry], alice: User, contest: Contest
) -> None:
    clock.move_to(DURING_VOTING)
    actions.do_vote(alice, entry_of(entries[1]))
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(contest=contest, entry=entries[1], voter=alice)


def test_members_who_joined_after_the_contest_started_do_not_vote(
    clock: time_machine.Traveller, entries: list[Entry], cargo: Community
) -> None:
    clock.move_to(DURING_ENTRIES)
    latecomer = make_person("eve@example.org", "Eve Late")
    join(latecomer, cargo)
    clock.move_to(DURING_VOTING)
    with pytest.raises(ActionRefused, match="joined before the contest started"):
        actions.do_vote(latecomer, entry_of(entries[0]))
    response = client_for(latecomer).post(f"{entries[0].get_absolute_url()}vote/")
    assert response.status_code == 302
    assert not Vote.objects.exists()
    page = html(client_for(latecomer), entries[0].contest.get_absolute_url())
    assert "votes left" not in page
    assert 'button--small">Vote<' not in page


def test_votes_are_taken_only_during_the_voting_period(
    clock: time_machine.Traveller, entries: list[Entry], alice: User
) -> None:
    clock.move_to(VOTING_OPEN - HOUR)
    with pytest.raises(ActionRefused):
        actions.do_vote(alice, entry_of(entries[1]))
    clock.move_to(VOTING_CLOSE)
    with pytest.raises(ActionRefused, match="Voting is not open"):
        actions.do_vote(alice, entry_of(entries[1]))
    assert not Vote.objects.exists()


def test_voting_works_without_javascript(
    clock: time_machine.Traveller, entries: list[Entry], alice: User, contest: Contest
) -> None:
    clock.move_to(DURING_VOTING)
    client = client_for(alice)
    page = html(client, contest.get_absolute_url())
    assert "You have 3 votes left out of 3." in page
    target = f"{contest.get_absolute_url()}#entry-{entries[1].pk}"
    response = client.post(f"{entries[1].get_absolute_url()}vote/", {"next": target})
    assert (response.status_code, response["Location"]) == (302, target)
    page = html(client, contest.get_absolute_url())
    assert "You have 2 votes left out of 3." in page
    assert "You voted for “Hack of Bob Leroy”." in page
    response = client.post(f"{entries[1].get_absolute_url()}vote/", {"withdraw": "1"})
    assert response.status_code == 302
    assert not Vote.objects.exists()
    # An outside address is not followed.
    response = client.post(
        f"{entries[1].get_absolute_url()}vote/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == target


def test_a_jury_contest_takes_no_votes(
    clock: time_machine.Traveller, cargo: Community, coordinator: User, general: Space, alice: User
) -> None:
    jury = create(coordinator, general, contest_plan=jury_plan(alice.handle))
    clock.move_to(DURING_ENTRIES)
    entry = submit(make_member(cargo, "frank"), jury)
    clock.move_to(DURING_VOTING)
    with pytest.raises(ActionRefused):
        actions.do_vote(alice, entry_of(entry))


def make_member(where: Community, name: str) -> User:
    person = make_person(f"{name}@example.org", name.title())
    join(person, where)
    return person


# --- Jury -------------------------------------------------------------------------------------


@pytest.fixture
def jury_contest(
    cargo: Community, coordinator: User, general: Space, alice: User, bob: User
) -> Contest:
    return create(
        coordinator,
        general,
        title="Photo contest",
        contest_plan=jury_plan(alice.handle, bob.handle),
    )


def scores_for(contest: Contest, originality: int, usefulness: int) -> dict[int, int]:
    first, second = contest.criteria.all()
    return {first.pk: originality, second.pk: usefulness}


def test_jurors_score_each_entry_but_not_their_own_until_voting_closes(
    clock: time_machine.Traveller,
    jury_contest: Contest,
    alice: User,
    bob: User,
    dora: User,
) -> None:
    clock.move_to(DURING_ENTRIES)
    alices = submit(alice, jury_contest)
    doras = submit(dora, jury_contest, title="Dora's")
    with pytest.raises(ActionRefused, match="during the voting period"):
        actions.do_score(bob, entry_of(doras), scores_for(jury_contest, 5, 5))
    clock.move_to(DURING_VOTING)
    with pytest.raises(ActionRefused, match="your own entry"):
        actions.do_score(alice, entry_of(alices), scores_for(jury_contest, 10, 5))
    with pytest.raises(ActionRefused):
        actions.do_score(dora, entry_of(alices), scores_for(jury_contest, 10, 5))
    with pytest.raises(ActionRefused, match="scored from 0 to 5"):
        actions.do_score(bob, entry_of(doras), scores_for(jury_contest, 3, 6))
    with pytest.raises(ActionRefused, match="every criterion"):
        actions.do_score(bob, entry_of(doras), {jury_contest.criteria.first().pk: 3})  # type: ignore[union-attr]
    assert not Score.objects.exists()
    actions.do_score(bob, entry_of(doras), scores_for(jury_contest, 3, 2))
    actions.do_score(bob, entry_of(doras), scores_for(jury_contest, 7, 2))
    assert sorted(Score.objects.values_list("value", flat=True)) == [2, 7]
    assert ActivityEvent.objects.filter(verb="contest.scored").count() == 1
    clock.move_to(VOTING_CLOSE)
    with pytest.raises(ActionRefused):
        actions.do_score(bob, entry_of(doras), scores_for(jury_contest, 1, 1))


def test_the_scoring_page_is_for_jurors_only(
    clock: time_machine.Traveller, jury_contest: Contest, alice: User, bob: User, dora: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    doras = submit(dora, jury_contest, title="Dora's")
    clock.move_to(DURING_VOTING)
    url = f"{doras.get_absolute_url()}score/"
    assert client_for(dora).get(url).status_code == 404
    juror = client_for(bob)
    page = html(juror, url)
    assert "Originality (0 to 10)" in page
    first, second = jury_contest.criteria.all()
    response = juror.post(url, {f"criterion_{first.pk}": "8", f"criterion_{second.pk}": "9"})
    assert response.status_code == 400
    assert not Score.objects.exists()
    response = juror.post(url, {f"criterion_{first.pk}": "8", f"criterion_{second.pk}": "4"})
    assert response.status_code == 302
    assert Score.objects.filter(juror=bob).count() == 2
    assert "Scored" in html(juror, jury_contest.get_absolute_url())


def test_jury_results_are_the_average_total_per_entry(
    clock: time_machine.Traveller,
    jury_contest: Contest,
    alice: User,
    bob: User,
    dora: User,
    coordinator: User,
) -> None:
    clock.move_to(DURING_ENTRIES)
    doras = submit(dora, jury_contest, title="Dora's")
    alices = submit(alice, jury_contest, title="Alice's")
    clock.move_to(DURING_VOTING)
    actions.do_score(bob, entry_of(doras), scores_for(jury_contest, 6, 2))  # 8
    actions.do_score(alice, entry_of(doras), scores_for(jury_contest, 10, 5))  # 15
    actions.do_score(bob, entry_of(alices), scores_for(jury_contest, 9, 5))  # 14
    clock.move_to(AFTER_VOTING)
    assert actions.do_announce_results(coordinator, fresh(jury_contest))
    ranked = {e.title: (e.rank, e.result) for e in Entry.objects.all()}
    assert ranked == {"Alice's": (1, 14.0), "Dora's": (2, 11.5)}


# --- Results ----------------------------------------------------------------------------------


def test_results_are_ranked_and_announced_once(
    clock: time_machine.Traveller,
    entries: list[Entry],
    contest: Contest,
    coordinator: User,
    alice: User,
    bob: User,
    dora: User,
) -> None:
    Contest.objects.filter(pk=contest.pk).update(winner_count=2)
    alices, bobs, doras = entries
    clock.move_to(DURING_VOTING)
    voter = make_member(contest.community, "gina")  # joined at START + 4 days: too late
    with pytest.raises(ActionRefused):
        actions.do_vote(voter, entry_of(alices))
    # Bob and Dora tie with one vote each; Alice has none.
    actions.do_vote(alice, entry_of(bobs))
    actions.do_vote(alice, entry_of(doras))
    with pytest.raises(ActionRefused, match="once voting has closed"):
        actions.do_announce_results(coordinator, fresh(contest))
    clock.move_to(AFTER_VOTING)
    assert actions.do_announce_results(coordinator, fresh(contest))
    assert not actions.do_announce_results(coordinator, fresh(contest))
    assert actions.announce_due() == 0
    # Ties go to the earliest entry: Bob's came before Dora's.
    ranks = dict(Entry.objects.values_list("title", "rank"))
    assert ranks == {"Hack of Bob Leroy": 1, "Hack of Dora Vélo": 2, "Hack of Alice Martin": 3}
    announced = fresh(contest)
    assert announced.results_announced_at == AFTER_VOTING
    topic = Topic.objects.get(kind="announcement")
    assert announced.results_topic == topic
    assert topic.author == coordinator
    assert topic.space == announced.space
    body = topic.posts.get(position=0).body
    assert "1. **Hack of Bob Leroy** by Bob Leroy (1 vote)" in body
    assert "Hack of Alice Martin" not in body  # third: not among the two winners
    told = Notification.objects.filter(kind=Kind.CONTEST_RESULTS)
    assert sorted(told.values_list("recipient__display_name", flat=True)) == [
        "Alice Martin",
        "Bob Leroy",
        "Dora Vélo",
    ]
    assert ActivityEvent.objects.filter(verb="contest.results.announced").count() == 1
    page = html(client_for(bob), f"{contest.get_absolute_url()}results/")
    assert "Hack of Bob Leroy" in page
    assert "Winner" in page
    # Authors are named once the results are out.
    assert "by Bob Leroy" in html(client_for(alice), contest.get_absolute_url())


def test_the_results_job_announces_contests_whose_voting_closed(
    clock: time_machine.Traveller, entries: list[Entry], contest: Contest, coordinator: User
) -> None:
    clock.move_to(DURING_VOTING)
    out = io.StringIO()
    call_command("announce_contest_results", stdout=out)
    assert "0 contest" in out.getvalue()
    clock.move_to(AFTER_VOTING)
    call_command("announce_contest_results", stdout=out)
    call_command("announce_contest_results", stdout=out)
    assert Topic.objects.filter(kind="announcement").count() == 1
    assert Notification.objects.filter(kind=Kind.CONTEST_RESULTS).count() == 3
    topic = Topic.objects.get()
    assert topic.author == coordinator
    assert Entry.objects.filter(rank__isnull=True).count() == 0


def test_the_results_job_posts_as_another_coordinator_when_the_animator_left(
    clock: time_machine.Traveller,
    entries: list[Entry],
    contest: Contest,
    coordinator: User,
    cargo: Community,
) -> None:
    other = make_member(cargo, "hugo")
    membership = other.memberships.get()
    community_actions.do_change_role(coordinator, membership, Role.COORDINATOR)
    community_actions.do_leave(coordinator, cargo)
    clock.move_to(AFTER_VOTING)
    assert actions.announce_due() == 1
    assert Topic.objects.get().author == other


def test_the_announce_button_is_for_animators_after_voting_closes(
    clock: time_machine.Traveller,
    entries: list[Entry],
    contest: Contest,
    coordinator: User,
    alice: User,
) -> None:
    url = f"{contest.get_absolute_url()}announce/"
    clock.move_to(AFTER_VOTING)
    assert client_for(alice).post(url).status_code == 404
    animator = client_for(coordinator)
    assert "Announce the results now" in html(animator, contest.get_absolute_url())
    response = animator.post(url)
    assert response["Location"] == f"{contest.get_absolute_url()}results/"
    assert animator.post(url).status_code == 302
    assert Topic.objects.count() == 1


# --- Who sees what ----------------------------------------------------------------------------


def test_a_contest_in_a_private_space_is_a_404_to_others_and_nothing_is_written(
    clock: time_machine.Traveller,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
    charlie: User,
) -> None:
    secret = create(coordinator, lab, title="Lab contest")
    clock.move_to(DURING_ENTRIES)
    alices = submit(alice, secret)
    for person in (bob, charlie, None):
        client = client_for(person)
        assert client.get(secret.get_absolute_url()).status_code == 404
        assert client.get(f"{secret.get_absolute_url()}results/").status_code == 404
        assert "Lab contest" not in html(client, "/c/cargo/contests/")
        assert "Lab contest" not in html(client, "/c/cargo/")
        response = client.post(f"{secret.get_absolute_url()}enter/", {"title": "Mine", "text": "x"})
        assert response.status_code in {302, 404}
        if person is not None:
            assert response.status_code == 404
    with pytest.raises(ActionRefused) as refusal:
        submit(bob, secret)
    assert refusal.value.not_found
    clock.move_to(DURING_VOTING)
    for person in (bob, charlie):
        response = client_for(person).post(f"{alices.get_absolute_url()}vote/")
        assert response.status_code == 404
        with pytest.raises(ActionRefused) as refusal:
            actions.do_vote(person, entry_of(alices))
        assert refusal.value.not_found
    assert Entry.objects.count() == 1
    assert not Vote.objects.exists()
    assert not Ballot.objects.exists()


def test_outsiders_read_a_public_contest_but_do_not_take_part(
    clock: time_machine.Traveller, entries: list[Entry], contest: Contest, charlie: User
) -> None:
    clock.move_to(DURING_ENTRIES + 5 * HOUR)
    outsider = client_for(charlie)
    assert "Join the community to enter" in html(outsider, contest.get_absolute_url())
    assert outsider.get(f"{contest.get_absolute_url()}enter/").status_code == 404
    with pytest.raises(ActionRefused):
        submit(charlie, contest)
    clock.move_to(DURING_VOTING)
    with pytest.raises(ActionRefused, match="may not vote"):
        actions.do_vote(charlie, entry_of(entries[0]))
    assert Entry.objects.count() == 3
    assert not Vote.objects.exists()


def test_the_landing_page_lists_running_contests(
    clock: time_machine.Traveller, contest: Contest, alice: User
) -> None:
    clock.move_to(DURING_ENTRIES)
    page = html(client_for(alice), "/c/cargo/")
    assert "Best cargo bike hack" in page
    assert "Open for entries" in page
    clock.move_to(AFTER_VOTING)
    assert "Best cargo bike hack" not in html(client_for(alice), "/c/cargo/")


# --- Query counts -----------------------------------------------------------------------------


def test_the_list_and_detail_pages_keep_their_query_counts(
    clock: time_machine.Traveller,
    cargo: Community,
    coordinator: User,
    general: Space,
    alice: User,
    django_assert_max_num_queries: Any,
) -> None:
    main = create(coordinator, general)
    for number in range(6):
        create(coordinator, general, title=f"Contest {number}")
    clock.move_to(DURING_ENTRIES)
    for number in range(12):
        member = make_member(cargo, f"rider{number}")
        submit(member, main, title=f"Entry {number}", files=[upload("a.png", png(), "image/png")])
    clock.move_to(DURING_VOTING)
    actions.do_vote(alice, entry_of(Entry.objects.first()))  # type: ignore[arg-type]
    client = client_for(alice)
    client.get("/c/cargo/contests/")
    with django_assert_max_num_queries(9 + NAVIGATION_QUERIES):
        page = html(client, "/c/cargo/contests/")
    assert page.count('class="card contest-card"') == 7
    with django_assert_max_num_queries(13 + NAVIGATION_QUERIES):
        page = html(client, main.get_absolute_url())
    assert page.count('class="card contest-entry"') == 12
    with django_assert_max_num_queries(12 + NAVIGATION_QUERIES):
        html(client, Entry.objects.first().get_absolute_url())  # type: ignore[union-attr]


def test_the_demo_builds_contests_in_french(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    from cercle.contests import demo  # noqa: PLC0415 - the demo is only for this test

    demo.populate(cargo, coordinator, [alice, bob])
    assert Contest.objects.filter(community=cargo).count() >= 2
    assert Entry.objects.exists()


def test_entries_are_unchanged_after_results(
    clock: time_machine.Traveller, entries: list[Entry], contest: Contest, coordinator: User
) -> None:
    clock.move_to(AFTER_VOTING)
    actions.do_announce_results(coordinator, fresh(contest))
    with pytest.raises(ActionRefused, match="results are out"):
        actions.do_withdraw_entry(coordinator, entry_of(entries[0]))
    with pytest.raises(ActionRefused, match="no longer changes"):
        actions.do_edit_contest(coordinator, fresh(contest), title="Changed", brief="b", rules="r")
