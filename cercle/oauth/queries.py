"""The reads the OAuth pages show: the applications staff registered, and the
applications that hold tokens for a person (their account page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from cercle.oauth.scopes import SCOPE_LABELS, SCOPE_NAMES, allowed_scope_names

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from cercle.accounts.models import User


@dataclass(frozen=True)
class ScopeLine:
    name: str
    label: Promise | str


def scope_lines(names: list[str] | set[str]) -> list[ScopeLine]:
    """The scopes in `names`, in their fixed order, with what each lets an application do."""
    return [ScopeLine(name, SCOPE_LABELS[name]) for name in SCOPE_NAMES if name in names]


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    scopes: list[ScopeLine]
    people: int  # people for whom it holds an unexpired access token or a refresh token


def staff_applications() -> list[ApplicationRow]:
    now = timezone.now()
    applications = (
        Application.objects.select_related("allowed_scopes")
        .annotate(
            people=Count(
                "accesstoken__user",
                filter=Q(accesstoken__expires__gt=now),
                distinct=True,
            )
        )
        .order_by("name", "pk")
    )
    return [
        ApplicationRow(app, scope_lines(allowed_scope_names(app)), app.people)
        for app in applications
    ]


@dataclass(frozen=True)
class Authorization:
    """An application that holds tokens for the person."""

    application: Application
    scopes: list[ScopeLine]
    authorized_at: datetime
    last_used_at: datetime


@dataclass
class _Held:
    scopes: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def saw(self, first: datetime, last: datetime) -> None:
        self.first = first if self.first is None else min(self.first, first)
        self.last = last if self.last is None else max(self.last, last)


def authorizations(person: User) -> list[Authorization]:
    """Every application holding an access token (even expired: its refresh token may
    renew it) or a live refresh token for `person`, with the scopes it holds, when it
    was first authorized and when it last used them. Three queries whatever the number
    of tokens."""
    held: dict[int, _Held] = defaultdict(_Held)
    tokens = (
        AccessToken.objects.filter(user=person, application__isnull=False)
        .values("application_id", "scope")
        .annotate(first=Min("created"), last=Max("updated"))
    )
    for row in tokens:
        entry = held[row["application_id"]]
        entry.scopes |= set(row["scope"].split())
        entry.saw(row["first"], row["last"])
    refreshing = (
        RefreshToken.objects.filter(user=person, revoked__isnull=True, application__isnull=False)
        .values("application_id")
        .annotate(first=Min("created"), last=Max("updated"))
    )
    for row in refreshing:
        held[row["application_id"]].saw(row["first"], row["last"])
    applications = Application.objects.in_bulk(list(held))
    result = [
        Authorization(
            application=applications[pk],
            scopes=scope_lines(entry.scopes),
            authorized_at=entry.first or timezone.now(),
            last_used_at=entry.last or timezone.now(),
        )
        for pk, entry in held.items()
        if pk in applications
    ]
    result.sort(key=lambda item: (item.application.name.lower(), item.application.pk))
    return result
