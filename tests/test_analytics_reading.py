"""The cockpit, its CSV exports and the monthly report name content (articles, topics,
questions) only to those who may read it: the same permission filter as every page,
for staff as for anyone (probe finding 10a: staff saw the titles of members-only and
private articles under "most revised articles")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cercle.accounts.models import User
from cercle.analytics import counting, queries
from cercle.communities.models import Community, Space, Visibility
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from cercle.membership import actions as community_actions
from cercle.wiki import actions as wiki
from tests.communities import client_for, community, join, staff_person
from tests.conftest import make_person

pytestmark = [pytest.mark.django_db]

PEOPLE = (
    "coordinator",
    "staff outsider",
    "staff member",
    "staff listed",
    "member",
    "listed member",
)
# Who may see the cockpit at all: coordinators and staff.
COCKPIT = {"coordinator", "staff outsider", "staff member", "staff listed"}
# Who reads each space: (community's visibility, space) -> people.
READERS: dict[tuple[str, str], set[str]] = {
    (Visibility.PUBLIC, "general"): set(PEOPLE),
    (Visibility.PUBLIC, "lab"): {"coordinator", "staff listed", "listed member"},
    (Visibility.MEMBERS, "general"): set(PEOPLE) - {"staff outsider"},
    (Visibility.MEMBERS, "lab"): {"coordinator", "staff listed", "listed member"},
}


def titles(visibility: str, space: str) -> dict[str, str]:
    """The titles written in one space, by what they are."""
    where = f"{visibility} {space}"
    return {
        "article": f"Article of {where}",
        "topic": f"Talk of {where}",
        "question": f"Question of {where}",
    }


@pytest.fixture
def people(db: None) -> dict[str, User]:
    found = {"coordinator": make_person("claire@example.org", "Claire")}
    for name in PEOPLE[1:]:
        email = name.replace(" ", ".") + "@example.org"
        found[name] = (
            staff_person(email, name) if name.startswith("staff") else make_person(email, name)
        )
    return found


def build(visibility: str, people: dict[str, User]) -> Community:
    coordinator = people["coordinator"]
    where = community(coordinator, slug=f"{visibility}-circle", visibility=visibility)
    for name in ("staff member", "staff listed", "member", "listed member"):
        join(people[name], where)
    spaces: dict[str, Space] = {
        "general": where.spaces.get(is_default=True),
        "lab": community_actions.do_create_space(coordinator, where, name="Lab", is_private=True),
    }
    for name in ("staff listed", "listed member"):
        community_actions.do_list_in_space(coordinator, spaces["lab"], people[name])
    for key, space in spaces.items():
        written = titles(visibility, key)
        wiki.do_create_article(coordinator, space, title=written["article"], body="Notes.")
        topic = talk.do_start_topic(
            coordinator, space, kind=Kind.DISCUSSION, title=written["topic"], body="Say."
        )
        talk.do_reply(people["listed member"], topic, body="Said.")
        with time_machine.travel(datetime.now(UTC) - timedelta(days=3)):
            talk.do_start_topic(
                coordinator, space, kind=Kind.QUESTION, title=written["question"], body="How?"
            )
    return where


def csv_text(client: Client, where: Community, person: User) -> str:
    """Every CSV export of the cockpit, read back as cells and joined."""
    cells: list[str] = []
    for key in queries.TABLE_SECTIONS:
        response = client.get(reverse("analytics:csv", args=[where.slug, key]))
        assert response.status_code == 200, key
        for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))):
            cells.extend(row)
    return "\n".join(cells)


def test_the_cockpit_its_csv_and_the_report_name_only_what_the_reader_may_read(
    people: dict[str, User],
) -> None:
    communities = {visibility: build(visibility, people) for visibility in Visibility.values}
    counting.fill()
    month = datetime.now(UTC).date()
    seen: dict[tuple[str, str, str, str], bool] = {}
    expected: dict[tuple[str, str, str, str], bool] = {}
    for name in PEOPLE:
        person = people[name]
        client = client_for(person)
        for visibility, where in communities.items():
            cockpit = client.get(reverse("analytics:cockpit", args=[where.slug]))
            details = [
                client.get(reverse("analytics:section", args=[where.slug, section]))
                for section in queries.SECTIONS
            ]
            report = client.get(
                reverse("analytics:report", args=[where.slug, month.year, month.month])
            )
            if name not in COCKPIT:
                assert (cockpit.status_code, report.status_code) == (404, 404)
                assert {page.status_code for page in details} == {404}
                csv_answer = client.get(reverse("analytics:csv", args=[where.slug, "engagement"]))
                assert csv_answer.status_code == 404
                continue
            assert (cockpit.status_code, report.status_code) == (200, 200)
            assert all(page.status_code == 200 for page in details)
            # The overview and its sub-pages, read together.
            cockpit_text = "\n".join(page.content.decode() for page in [cockpit, *details])
            surfaces = {
                "cockpit": (cockpit_text, {"article", "topic", "question"}),
                "csv": (csv_text(client, where, person), {"topic", "question"}),
                "report": (report.content.decode(), {"article"}),
            }
            for space in ("general", "lab"):
                may_read = name in READERS[(visibility, space)]
                for kind, title in titles(visibility, space).items():
                    for surface, (text, shows) in surfaces.items():
                        key = (name, f"{visibility} {space}", kind, surface)
                        seen[key] = title in text
                        expected[key] = may_read and kind in shows
    assert seen == expected
    # The matrix holds both answers: titles shown to some readers, hidden from others.
    assert any(expected.values())
    assert not all(expected.values())
