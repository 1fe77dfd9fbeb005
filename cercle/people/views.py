"""Thin views over the people actions and queries: profiles, the member directory,
"who knows what" and follows. Every form works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations.models import Tag, Topic
from cercle.errors import ActionRefused
from cercle.people import actions, cards, queries
from cercle.people.forms import DirectoryForm, ExpertiseForm, ExpertsForm, ProfileForm
from cercle.people.models import Expertise, Level, stored_or_default_profile
from cercle.web import AuthenticatedRequest, Request

# --- Profiles ----------------------------------------------------------------------------------


@require_safe
def profile(request: Request, handle: str) -> HttpResponse:
    page = queries.profile_page(request.user, handle)
    return render(request, "people/profile.html", {"page": page, "person": page.person})


@require_safe
def card(request: Request, handle: str) -> HttpResponse:
    """The small profile card (an HTML fragment) that js/people.js shows on hover or
    focus of a person's link: a 404 to whoever may not see the person."""
    found = cards.person_card(request.user, handle)
    response = render(request, "people/_card.html", {"card": found, "person": found.person})
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_safe
def avatar(request: Request, handle: str) -> FileResponse:
    """A member's photo, shown only to those who may see their profile."""
    person = queries.person_for(request.user, handle)
    photo = queries.photo_of(person)
    if photo is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: AuthenticatedRequest) -> HttpResponse:
    person = request.user
    # Read only: the action creates the profile when it is first saved, not the GET.
    stored = stored_or_default_profile(person)
    form = ProfileForm(
        request.POST or None, request.FILES or None, profile=stored, email=person.email
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_profile(
                person,
                person,
                headline=data["headline"],
                bio=data["bio"],
                organization=data["organization"],
                location=data["location"],
                languages=data["languages"],
                interests=data["interests"],
                ask_me_about=data["ask_me_about"],
                links=form.link_pairs(),
                is_public=bool(data["is_public"]),
                named_in_analytics=bool(data["named_in_analytics"]),
                email_visibility=data["email_visibility"],
                organization_visibility=data["organization_visibility"],
                location_visibility=data["location_visibility"],
                avatar=data.get("avatar"),
                remove_avatar=data.get("remove_avatar", False),
            )
        except actions.AvatarRefused as refusal:
            form.add_error("avatar", refusal.message)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile_edit")
    tags = queries.expertise_tags(person)
    return render(
        request,
        "people/edit.html",
        {
            "form": form,
            "profile": stored,
            "expertise": queries.my_expertise(person),
            "expertise_form": ExpertiseForm(tags=tags) if tags else None,
            "levels": Level.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def declare_expertise(request: AuthenticatedRequest) -> HttpResponse:
    person = request.user
    form = ExpertiseForm(request.POST, tags=queries.expertise_tags(person))
    if not form.is_valid():
        messages.error(request, _("Choose one of your communities' tags and a level."))
        return redirect(reverse("profile_edit") + "#expertise")
    tag = get_object_or_404(Tag.objects.select_related("community"), pk=form.cleaned_data["tag"])
    try:
        actions.do_declare_expertise(person, tag, form.cleaned_data["level"])
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        messages.success(request, _("Your expertise on #%(tag)s is saved.") % {"tag": tag.slug})
    return redirect(reverse("profile_edit") + "#expertise")


@login_required
@require_POST
def remove_expertise(request: AuthenticatedRequest, expertise_id: int) -> HttpResponse:
    person = request.user
    expertise = get_object_or_404(
        Expertise.objects.select_related("tag__community"), pk=expertise_id, person=person
    )
    actions.do_remove_expertise(person, expertise)
    messages.success(
        request, _("Your expertise on #%(tag)s is removed.") % {"tag": expertise.tag.slug}
    )
    return redirect(reverse("profile_edit") + "#expertise")


# --- Directory and "who knows what" --------------------------------------------------------------


def _community_people(
    request: Request, slug: str
) -> tuple[Community, permissions.CommunityAccess, list[Tag]]:
    community, access = web.community_for(request, slug, queries.reads_directory)
    return community, access, list(Tag.objects.filter(community=community).order_by("slug"))


@require_safe
def directory(request: Request, slug: str) -> HttpResponse:
    community, access, tags = _community_people(request, slug)
    form = DirectoryForm(request.GET, tags=tags)
    form.is_valid()  # A wrong filter is shown with its error; the others still apply.
    query = form.cleaned_data.get("q", "")
    role = form.cleaned_data.get("role", "")
    tag = next((t for t in tags if t.slug == form.cleaned_data.get("tag")), None)
    members = queries.directory(request.user, community, query=query, tag=tag, role=role)
    page = Paginator(members, queries.DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/directory.html",
        {
            "community": community,
            "access": access,
            "can": permissions.community_can(access),
            "form": form,
            "page": page,
            "filtered": bool(query or tag or role),
        },
    )


@require_safe
def experts(request: Request, slug: str) -> HttpResponse:
    community, access, tags = _community_people(request, slug)
    form = ExpertsForm(request.GET, tags=tags)
    form.is_valid()
    text = form.cleaned_data.get("q", "")
    tag = next((t for t in tags if t.slug == form.cleaned_data.get("tag")), None)
    found = queries.who_knows_what(request.user, community, tag=tag, text=text, limit=20)
    return render(
        request,
        "people/experts.html",
        {
            "community": community,
            "access": access,
            "can": permissions.community_can(access),
            "form": form,
            "experts": found,
            "tag": tag,
            "text": text,
        },
    )


# --- Follows -----------------------------------------------------------------------------------

KINDS = ("person", "topic", "space", "tag")


def _target(kind: str, target_id: int) -> actions.Target:
    if kind == "person":
        return get_object_or_404(User, pk=target_id, is_active=True)
    if kind == "topic":
        return get_object_or_404(
            Topic.objects.select_related("space__community", "community"), pk=target_id
        )
    if kind == "space":
        return get_object_or_404(Space.objects.select_related("community"), pk=target_id)
    if kind == "tag":
        return get_object_or_404(Tag.objects.select_related("community"), pk=target_id)
    raise Http404


def follow_label(target: actions.Target) -> str:
    """The name of what is followed, as the follow button reads it out."""
    if isinstance(target, User):
        return target.display_name
    if isinstance(target, Topic):
        return target.title
    if isinstance(target, Space):
        return target.name
    return f"#{target.slug}"


def _target_url(target: actions.Target) -> str:
    if isinstance(target, User):
        return reverse("profile", kwargs={"handle": target.handle})
    if isinstance(target, Tag):
        return target.community.get_absolute_url()
    return target.get_absolute_url()


@require_POST
def follow(request: Request, kind: str, target_id: int) -> HttpResponseBase:
    return _follow_or_unfollow(request, kind, target_id, following=True)


@require_POST
def unfollow(request: Request, kind: str, target_id: int) -> HttpResponseBase:
    return _follow_or_unfollow(request, kind, target_id, following=False)


def _follow_or_unfollow(
    request: Request, kind: str, target_id: int, *, following: bool
) -> HttpResponseBase:
    target = _target(kind, target_id)
    next_url = web.next_url(request, _target_url(target))
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    label = follow_label(target)
    try:
        if following:
            actions.do_follow(request.user, target)
        else:
            actions.do_unfollow(request.user, target)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        if not request.htmx:
            messages.error(request, refusal.message)
    else:
        if not request.htmx:
            done = _("You follow %(name)s.") if following else _("You no longer follow %(name)s.")
            messages.success(request, done % {"name": label})
    if request.htmx:
        return render(
            request,
            "people/_follow_button.html",
            {
                "target_kind": kind,
                "target_id": target.pk,
                "following": actions.is_following(request.user, target),
                "label": label,
                "next_url": next_url,
            },
        )
    return redirect(next_url)
