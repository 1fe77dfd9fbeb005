"""/me: who the caller is, and what their token lets them do."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from cercle.api.caller import Caller
from cercle.api.problems import ERRORS

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    display_name: str
    email: str
    language: str
    via: str
    scopes: list[str]


@router.get("", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    person = caller.person
    return MeOut(
        id=person.pk,
        display_name=str(person),
        email=person.email,
        language=person.language,
        via=caller.via.value,
        scopes=sorted(scope.value for scope in caller.scopes),
    )
