"""The site's URLs plus a few endpoints that exist only in tests, on a second API built
exactly as the real one (`new_api`), at /api/v1/test/: a creation that counts its runs,
to prove what the core does for every endpoint (scopes, idempotency keys, ETags) before
any resource is written. Use with `@pytest.mark.urls("tests.api_urls")`."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path
from ninja import Router, Schema, Status

from cercle.api.caller import Caller
from cercle.api.core import new_api
from cercle.api.problems import ERRORS
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.urls import urlpatterns as site_urlpatterns

router = Router(tags=["test"])


class NoteIn(Schema):
    text: str


class NoteOut(Schema):
    id: int
    text: str


@router.post("/notes", response={201: NoteOut, **ERRORS}, summary="Write a note (tests only)")
def write_note(request: HttpRequest, body: NoteIn) -> Status[NoteOut]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    event = record_security_event(SecurityKind.SETTING_CHANGED, actor=caller.person, note=body.text)
    return Status(201, NoteOut(id=event.pk, text=body.text))


test_api = new_api(title="Tests", version="1", urls_namespace="api-test", openapi_url=None)
test_api.add_router("/test", router)

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", test_api.urls),
    *site_urlpatterns,
]
