"""What every app's views share, written once.

- `Request` and `AuthenticatedRequest`: the request as views receive it, typed (the
  person, and django-htmx's `htmx` details), so that no view casts.
- `community_for` and `space_for`: "this community (or space), for this person, with
  this need", or a 404. The need is a question of `cercle.permissions`; this module
  only names it.
- Refusals told to people: `refusals_as_messages` (a decorator), `tell_refusal`,
  `refusal_on_form`, `first_error`, and where to send them back (`back`, `next_url`).
- One submission, one creation: `once` (a decorator for the views creation forms post
  to), `mark_done`, and `purge_old_tokens` for the periodic jobs.

This module sits just above `cercle.permissions`: it may import the communities, the
permissions, the errors and the base apps, never a feature app.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Literal, TypeVar, cast, overload

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused
from cercle.models import ONCE_FIELD, TOKEN_PATTERN, SubmissionClaim

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


# --- The request -------------------------------------------------------------------------------


class Request(HttpRequest):
    """A request as every view receives it (django-htmx's typing advice): the person
    may be anonymous, and `htmx` says whether htmx sent it."""

    user: User | AnonymousUser
    htmx: HtmxDetails


class AuthenticatedRequest(Request):
    """A request to a view behind `login_required`: there is a person."""

    user: User


# --- This community, for this person, with this need -----------------------------------------

Access = permissions.CommunityAccess
Need = Literal["view", "read", "post", "moderate", "manage", "animate"]
Question = Callable[[Access], bool]

# Each need names a question of the permissions package; nothing is decided here.
NEEDS: Mapping[Need, Question] = {
    "view": Access.sees_landing,  # the community's landing page
    "read": Access.reads_open_spaces,  # what is posted in its open spaces
    "post": Access.may_post,  # an active member
    "moderate": Access.may_moderate,
    "manage": Access.may_manage,
    "animate": Access.may_animate,
}
SPACE_NEEDS: Mapping[Need, Callable[[Access, Space], bool]] = {
    "view": Access.reads,
    "read": Access.reads,
    "post": Access.may_post,
    "moderate": Access.may_moderate,
    "manage": Access.may_manage,
    "animate": Access.may_animate,
}


def community_for(
    request: HttpRequest,
    slug: str,
    need: Need | Question = "view",
    *,
    forbidden_to_readers: bool = False,
) -> tuple[Community, Access]:
    """The community at `slug` and the person's access to it, when the person has
    `need` there (a name of `NEEDS`, or any question of `CommunityAccess`, such as
    `Access.may_curate_tags`); a 404 otherwise, which does not tell whether it exists.

    With `forbidden_to_readers`, those who read the community's open spaces get a 403
    instead: the page's existence is no secret to them."""
    community, access = permissions.community_for(request.user, slug)
    question = NEEDS[need] if isinstance(need, str) else need
    if not question(access):
        if forbidden_to_readers and access.reads_open_spaces():
            raise PermissionDenied
        raise Http404
    return community, access


def space_for(
    request: HttpRequest, slug: str, space: str, need: Need = "view"
) -> tuple[Space, Access]:
    """The space the person reads at `slug`/`space`, when the person has `need` in it;
    a 404 otherwise."""
    found, access = permissions.space_for(request.user, slug, space)
    if not SPACE_NEEDS[need](access, found):
        raise Http404
    return found, access


# --- Refusals, told to people -------------------------------------------------------------------


def back(request: HttpRequest, default: str = "") -> str:
    """The page the person came from, when it is on this site; `default` (the
    community directory) otherwise."""
    referer = request.headers.get("referer", "")
    host = request.get_host()
    if referer and referer.split("://", 1)[-1].startswith(host + "/"):
        return "/" + referer.split("://", 1)[-1].split("/", 1)[1]
    return default or reverse("community_directory")


def next_url(request: HttpRequest, default: str) -> str:
    """The form's `next` field when it is a path on this site, `default` otherwise."""
    wanted = request.POST.get("next", "")
    # Django's check, not a prefix test: browsers read "/\evil.example" as another site.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def tell_refusal(request: HttpRequest, refusal: ActionRefused) -> None:
    """A refusal as an error message for the next page, or a 404 when saying more would
    leak that something exists."""
    if refusal.not_found:
        raise Http404 from refusal
    messages.error(request, refusal.message)


def refusal_on_form(form: Any, refusal: ActionRefused) -> None:
    """A refusal shown at the top of the form that asked, or a 404 when saying more
    would leak that something exists."""
    if refusal.not_found:
        raise Http404 from refusal
    form.add_error(None, refusal.message)


def first_error(form: Any) -> str:
    """A form's first error as a message, named after its field."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        return f"{field.label}: {errors[0]}" if field is not None else str(errors[0])
    return _("Check the form.")


def refusals_as_messages(view: View) -> View:
    """An `ActionRefused` out of the view becomes a message on the page the person
    came from (or a 404 when saying more would leak that something exists)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ActionRefused as refusal:
            tell_refusal(request, refusal)
            return redirect(back(request))

    return cast(View, wrapper)


# --- One submission, one creation ---------------------------------------------------------------

# How long a claimed token is remembered: far longer than a double click, a resent
# request or a form left open overnight.
KEEP_CLAIMS = timedelta(days=7)

_done: weakref.WeakSet[HttpRequest] = weakref.WeakSet()
_once_views: set[Callable[..., HttpResponseBase]] = set()


def mark_done(request: HttpRequest) -> None:
    """For a view that answers a done creation with a page rather than a redirect (a
    report of what was sent or imported): the submission counts, and a repeat of it is
    sent to this page, by GET."""
    _done.add(request)


@overload
def once(view: View, /) -> View: ...
@overload
def once(*, unless: str) -> Callable[[View], View]: ...
def once(view: View | None = None, /, *, unless: str = "") -> View | Callable[[View], View]:
    """One submission, one creation, for the view a creation form posts to.

    The form carries a token (`{% once_field %}`). The POST runs in one transaction
    that first claims the token for the person, then runs the view: so the claim and
    the action commit or vanish together. The claim stands when the view answers with
    a redirect and told no refusal (the POST/redirect/GET of a done action), or called
    `mark_done`; any other answer (the form again with its errors, a refusal sent back
    as a message, an exception) releases it, and the same token may be sent again.

    The same token sent again, at once or later, does not run the view: it is answered
    with a redirect to where the first submission led. Submissions at the same moment
    wait for the first one's transaction (the unique key on person and token), then
    read its answer. A POST without a valid token (an old page, a script) runs as
    before; a form button named `unless` (a "fetch" that only fills the form) too.
    """

    def decorate(inner: View) -> View:
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            token = request.POST.get(ONCE_FIELD, "") if request.method == "POST" else ""
            if (
                not TOKEN_PATTERN.fullmatch(token)
                or not request.user.is_authenticated
                or (unless and unless in request.POST)
            ):
                return inner(request, *args, **kwargs)
            return _claimed(request, token, lambda: inner(request, *args, **kwargs))

        _once_views.add(wrapper)
        return cast(View, wrapper)

    if view is not None:
        return decorate(view)
    return decorate


def claims_once(view: Callable[..., HttpResponseBase]) -> bool:
    """Whether `view`, under any decorators, is wrapped in `once` (tests list them)."""
    current: Any = view
    while current is not None:
        if current in _once_views:
            return True
        current = getattr(current, "__wrapped__", None)
    return False


def _claimed(
    request: HttpRequest, token: str, run: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    person = cast(User, request.user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = SubmissionClaim.objects.create(person=person, token=token)
        except IntegrityError:
            first = SubmissionClaim.objects.filter(person=person, token=token).first()
            if first is not None and first.location:
                return HttpResponseRedirect(first.location)
            # Forgotten between the two queries: this submission is the first again.
            claim = SubmissionClaim.objects.create(person=person, token=token)
        refusals_before = _refusals_told(request)
        response = run()
        if request in _done:
            claim.location = request.get_full_path()
        elif response.status_code in {301, 302, 303, 307, 308} and (
            _refusals_told(request) == refusals_before
        ):
            claim.location = response["Location"]
        if claim.location:
            claim.save(update_fields=["location"])
        else:
            claim.delete()
        return response


def _refusals_told(request: HttpRequest) -> int:
    """How many error messages wait for the person's next page. Reading the messages
    marks them as shown; putting `used` back keeps them (Django's documented way)."""
    storage = messages.get_messages(request)
    if isinstance(storage, list):  # no message middleware
        return 0
    used = storage.used
    count = sum(1 for message in storage if message.level >= messages.ERROR)
    storage.used = used
    return count


def purge_old_tokens(now: datetime | None = None) -> int:
    """Forget the claims older than `KEEP_CLAIMS`; how many were forgotten. Idempotent:
    for `cercle periodic`, daily or more often."""
    limit = (now or timezone.now()) - KEEP_CLAIMS
    deleted, _counts = SubmissionClaim.objects.filter(claimed_at__lt=limit).delete()
    return deleted
