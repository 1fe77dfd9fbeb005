"""Cursor pagination (cercle/api/pagination.py): pages in order through a relation's
field, none repeated or skipped, and a tampered cursor refused."""

from __future__ import annotations

import pytest

from cercle.accounts.models import User
from cercle.api.pagination import cursor_page
from cercle.api.problems import ApiError
from cercle.communities.models import Membership
from tests.communities import community, join, make_person

pytestmark = pytest.mark.django_db


def test_pages_follow_an_ordering_through_a_relation_without_repeating_or_skipping(
    coordinator: User,
) -> None:
    places = [
        community(coordinator, slug=name.lower(), name=name) for name in ("Beta", "Alpha", "Gamma")
    ]
    for index in range(4):
        person = make_person(f"p{index}@example.org", f"Person {index}")
        for place in places:
            join(person, place)
    everyone = Membership.objects.all()
    ordering = ("community__name", "-pk")
    seen: list[int] = []
    cursor = None
    while True:
        rows, cursor = cursor_page(everyone, ordering=ordering, cursor=cursor, limit=4)
        seen += [row.pk for row in rows]
        if cursor is None:
            break
    expected = list(everyone.order_by(*ordering).values_list("pk", flat=True))
    assert seen == expected
    assert len(expected) == 15  # three coordinators' rows and twelve members


def test_a_cursor_made_for_another_ordering_or_tampered_with_is_refused(
    coordinator: User,
) -> None:
    community(coordinator)
    join(make_person("a@example.org", "A"), community(coordinator, slug="other", name="Other"))
    _, cursor = cursor_page(Membership.objects.all(), ordering=("-pk",), limit=1)
    assert cursor is not None
    for bad in (cursor + "x", "not-a-cursor"):
        with pytest.raises(ApiError) as refused:
            cursor_page(Membership.objects.all(), ordering=("-pk",), cursor=bad, limit=1)
        assert refused.value.status == 400
    with pytest.raises(ApiError):
        cursor_page(Membership.objects.all(), ordering=("community__name", "-pk"), cursor=cursor)
