"""Notifications about things other than posts (events, badges, polls...): only
people who may read the space (or, without a space, the members) are told."""

from __future__ import annotations

from typing import Any

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.notifications import queries
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind, Notification
from tests.communities import client_for, community, join


def test_it_tells_only_those_who_read_the_space(
    coordinator: User, alice: User, bob: User, charlie: User
) -> None:
    cargo: Community = community(coordinator)
    join(alice, cargo)
    join(bob, cargo)
    lab = Space.objects.create(community=cargo, name="Lab", slug="lab", is_private=True)
    lab.members.add(alice)
    told = notify_about(
        Kind.EVENT_REMINDER,
        [alice.pk, bob.pk, charlie.pk, coordinator.pk],
        actor=coordinator,
        community=cargo,
        subject="Open lab",
        url="/c/cargo/events/1/",
        space=lab,
    )
    assert {n.recipient_id for n in told} == {alice.pk}  # not the actor, not Bob nor Charlie
    notification = told[0]
    assert notification.get_absolute_url() == "/c/cargo/events/1/"
    page = client_for(alice).get("/notifications/").content.decode()
    assert "Reminder: “Open lab” is coming up" in page
    # Once Alice is no longer listed in the space, the notification disappears.
    lab.members.remove(alice)
    assert not queries.visible_to(alice).filter(pk=notification.pk).exists()
    assert client_for(alice).get(f"/notifications/{notification.pk}/").status_code == 404


def test_without_a_space_it_tells_members_only(
    coordinator: User, alice: User, charlie: User
) -> None:
    cargo = community(coordinator)
    join(alice, cargo)
    told = notify_about(
        Kind.BADGE,
        [alice.pk, charlie.pk],
        actor=None,
        community=cargo,
        subject="First post",
        url="/c/cargo/",
    )
    assert [n.recipient_id for n in told] == [alice.pk]
    assert Notification.objects.get(kind=Kind.BADGE).subject == "First post"


def test_telling_many_people_costs_a_fixed_number_of_queries(
    coordinator: User, django_assert_max_num_queries: Any
) -> None:
    from cercle.communities.models import Audience  # noqa: PLC0415
    from tests.communities import internal_domain  # noqa: PLC0415
    from tests.conftest import make_person  # noqa: PLC0415

    internal_domain()
    boss = make_person("boss@inside.example", "Boss")
    inside = community(boss, slug="inside", audience=Audience.INTERNAL)
    lab = Space.objects.create(community=inside, name="Lab", slug="lab", is_private=True)
    people = [make_person(f"p{i}@inside.example", f"P{i}") for i in range(30)]
    for person in people:
        join(person, inside)
    lab.members.add(*people[:10])
    outsider = make_person("out@elsewhere.example", "Out")
    ids = [p.pk for p in people] + [outsider.pk]
    with django_assert_max_num_queries(12):
        told = notify_about(
            Kind.NEW_ACTIVITY, ids, actor=boss, community=inside, subject="Poll", url="/", space=lab
        )
    assert sorted(n.recipient_id for n in told) == sorted(p.pk for p in people[:10])
