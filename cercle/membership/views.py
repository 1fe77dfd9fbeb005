"""Thin views: read the request, call one query or action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cercle import permissions, web
from cercle.accounts.models import User
from cercle.communities.models import Audience, Entry, Invitation, Membership, Status
from cercle.errors import ActionRefused
from cercle.membership import actions, queries
from cercle.membership.forms import (
    CommunityForm,
    DecisionForm,
    InviteForm,
    JoinRequestForm,
    ListInSpaceForm,
    RoleForm,
    SpaceForm,
)
from cercle.web import AuthenticatedRequest, Request, refusals_as_messages

# --- Directory and landing ------------------------------------------------------------------


@require_safe
def directory(request: Request) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    audience = request.GET.get("audience", "")
    entry = request.GET.get("entry", "")
    communities = queries.directory(request.user, query=query, audience=audience, entry=entry)
    page = Paginator(communities, 24).get_page(request.GET.get("page"))
    return render(
        request,
        "communities/directory.html",
        {
            "page": page,
            "query": query,
            "audience": audience,
            "entry": entry,
            "audiences": Audience.choices,
            "entries": Entry.choices,
            "can": {"create": permissions.may_create_community(request.user)},
        },
    )


@login_required
@web.once
def create(request: AuthenticatedRequest) -> HttpResponseBase:
    if not permissions.may_create_community(request.user):
        raise Http404
    form = CommunityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = actions.do_create_community(request.user, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your community is ready. Invite its first members!"))
            return redirect(community.get_absolute_url())
    return render(request, "communities/create.html", {"form": form})


@login_required
@require_safe
def mine(request: AuthenticatedRequest) -> HttpResponse:
    memberships = list(queries.my_memberships(request.user))
    return render(
        request,
        "communities/mine.html",
        {
            "active": [m for m in memberships if m.status == Status.ACTIVE],
            "requested": [m for m in memberships if m.status == Status.REQUESTED],
            "invited": [m for m in memberships if m.status == Status.INVITED],
        },
    )


@require_safe
def landing(request: Request, slug: str) -> HttpResponse:
    data = queries.landing(request.user, slug)
    return render(
        request,
        "communities/landing.html",
        {
            "landing": data,
            "community": data.community,
            "access": data.access,
            "can": data.can,
            "join_form": JoinRequestForm(),
        },
    )


@require_safe
def image(request: Request, slug: str, kind: str) -> FileResponse:
    """Logos and covers, shown only where the community's landing page may be seen."""
    community, _access = web.community_for(request, slug)
    field = community.logo if kind == "logo" else community.cover
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Joining and leaving --------------------------------------------------------------------


@login_required
@require_POST
@refusals_as_messages
def join(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, _access = web.community_for(request, slug)
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    membership = actions.do_join(request.user, community, message=message)
    if membership.status == Status.ACTIVE:
        messages.success(request, _("Welcome to %(community)s!") % {"community": community})
    else:
        messages.success(
            request,
            _("Your request is sent: the coordinators of %(community)s will answer soon.")
            % {"community": community},
        )
    return redirect(community.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def cancel_request(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, _access = web.community_for(request, slug)
    actions.do_cancel_request(request.user, community)
    messages.success(request, _("Your request is withdrawn."))
    return redirect(community.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def leave(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, _access = web.community_for(request, slug)
    actions.do_leave(request.user, community)
    messages.success(request, _("You have left %(community)s.") % {"community": community})
    return redirect(community.get_absolute_url())


# --- Invitations ---------------------------------------------------------------------------


@require_safe
def invitation(request: Request, token: str) -> HttpResponse:
    try:
        found = actions.check_invitation(token)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        return render(
            request, "communities/invitation.html", {"refusal": refusal.message}, status=410
        )
    return render(
        request, "communities/invitation.html", {"invitation": found, "community": found.community}
    )


@login_required
@require_POST
@refusals_as_messages
def accept_invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    membership = actions.do_accept_invitation(request.user, token)
    messages.success(request, _("Welcome to %(community)s!") % {"community": membership.community})
    return redirect(membership.community.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def decline_invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    actions.do_decline_invitation(request.user, token)
    messages.success(request, _("You declined the invitation."))
    return redirect("home")


# --- Management ---------------------------------------------------------------------------


@login_required
def manage(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    community, access = web.community_for(request, slug, "manage")
    form = CommunityForm(request.POST or None, request.FILES or None, instance=community)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_community(request.user, community, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The community's settings are saved."))
            return redirect("community_manage", slug=community.slug)
    if request.method == "POST":
        community.refresh_from_db()
    return render(
        request,
        "communities/manage/settings.html",
        {
            "community": community,
            "access": access,
            "can": permissions.community_can(access),
            "form": form,
            "section": "settings",
        },
    )


@login_required
@web.once
def manage_members(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, _manages_members)
    invite_form = InviteForm(request.POST or None)
    report = None
    if request.method == "POST":
        if not invite_form.is_valid():
            messages.error(request, _("Paste at least one email address."))
        else:
            try:
                report = actions.do_invite(
                    request.user,
                    community,
                    actions.parse_addresses(invite_form.cleaned_data["addresses"]),
                    message=invite_form.cleaned_data["message"],
                )
            except ActionRefused as refusal:
                messages.error(request, refusal.message)
            else:
                web.mark_done(request)
                invite_form = InviteForm()
    members = queries.members_for_management(community)
    return render(
        request,
        "communities/manage/members.html",
        {
            "community": community,
            "access": access,
            "members": members,
            "invitations": queries.pending_invitations(community) if access.may_invite() else [],
            "can": {
                **permissions.community_can(access),
                "invite": access.may_invite(),
                # Coordinators change, remove and ban others, never themselves.
                "remove": {
                    membership.pk
                    for membership in members["active"]
                    if access.may_manage() and membership.person_id != request.user.pk
                },
            },
            "invite_form": invite_form,
            "report": report,
            "decision_form": DecisionForm(),
            "role_form": RoleForm(),
            "section": "members",
        },
    )


def _manages_members(access: web.Access) -> bool:
    return access.may_manage() or access.may_decide_requests()


MEMBER_OPERATIONS = {"approve", "decline", "role", "remove", "ban", "unban"}


@login_required
@require_POST
@refusals_as_messages
def member_operation(
    request: AuthenticatedRequest, slug: str, membership_id: int, operation: str
) -> HttpResponse:
    community, _access = web.community_for(request, slug, _manages_members)
    if operation not in MEMBER_OPERATIONS:
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("person", "community"),
        pk=membership_id,
        community=community,
    )
    actor = request.user
    name = membership.person.display_name
    if operation in {"approve", "decline"}:
        form = DecisionForm(request.POST)
        message = form.cleaned_data["message"] if form.is_valid() else ""
        actions.do_decide_request(
            actor, membership, approve=operation == "approve", message=message
        )
        done = (
            _("%(name)s is now a member.")
            if operation == "approve"
            else _("%(name)s's request is declined.")
        )
    elif operation == "role":
        role_form = RoleForm(request.POST)
        if not role_form.is_valid():
            raise ActionRefused(_("Unknown role."))
        actions.do_change_role(actor, membership, role_form.cleaned_data["role"])
        done = _("%(name)s's role is changed.")
    elif operation == "remove":
        actions.do_remove_member(actor, membership)
        done = _("%(name)s is no longer a member.")
    elif operation == "ban":
        actions.do_ban(actor, membership, message=request.POST.get("message", ""))
        done = _("%(name)s is banned.")
    else:
        actions.do_unban(actor, membership)
        done = _("%(name)s may join again.")
    messages.success(request, done % {"name": name})
    return redirect("community_members", slug=community.slug)


@login_required
@require_POST
@refusals_as_messages
def revoke_invitation(request: AuthenticatedRequest, slug: str, invitation_id: int) -> HttpResponse:
    community, _access = web.community_for(request, slug, web.Access.may_invite)
    found = get_object_or_404(Invitation, pk=invitation_id, community=community)
    actions.do_revoke_invitation(request.user, found)
    messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": found.email})
    return redirect("community_members", slug=community.slug)


@login_required
@web.once
def manage_spaces(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    community, access = web.community_for(request, slug, "manage")
    form = SpaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_create_space(request.user, community, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The space %(name)s is created.") % {"name": created.name})
            return redirect("community_space_edit", slug=community.slug, space=created.slug)
    return render(
        request,
        "communities/manage/spaces.html",
        {
            "community": community,
            "access": access,
            "spaces": list(permissions.readable_spaces(access))
            if access.is_coordinator
            else list(community.spaces.filter(is_private=False)),
            "form": form,
            "can": permissions.community_can(access),
            "section": "spaces",
        },
    )


@login_required
@refusals_as_messages
def edit_space(request: AuthenticatedRequest, slug: str, space: str) -> HttpResponseBase:
    community, access = web.community_for(request, slug, "manage")
    found = get_object_or_404(community.spaces, slug=space)
    if not access.may_manage(found):
        raise Http404
    found.community = community
    form = (
        SpaceForm(request.POST or None, instance=found)
        if request.method == "POST" and "name" in request.POST
        else SpaceForm(instance=found)
    )
    actor = request.user
    listed_members = community.memberships.filter(status=Status.ACTIVE).select_related("person")
    list_form = ListInSpaceForm(
        request.POST if "person" in request.POST else None,
        members=User.objects.filter(pk__in=listed_members.values("person_id")).exclude(
            listed_spaces=found
        ),
    )
    if request.method == "POST":
        if "remove" in request.POST:
            person = get_object_or_404(User, pk=request.POST["remove"])
            actions.do_unlist_from_space(actor, found, person)
            messages.success(request, _("%(name)s is removed from this space.") % {"name": person})
            return redirect("community_space_edit", slug=slug, space=found.slug)
        if "person" in request.POST and list_form.is_valid():
            person = list_form.cleaned_data["person"]
            actions.do_list_in_space(actor, found, person)
            messages.success(request, _("%(name)s is added to this space.") % {"name": person})
            return redirect("community_space_edit", slug=slug, space=found.slug)
        if "name" in request.POST and form.is_valid():
            actions.do_update_space(actor, found, **form.cleaned_data)
            messages.success(request, _("The space is saved."))
            return redirect("community_space_edit", slug=slug, space=found.slug)
    return render(
        request,
        "communities/manage/space_edit.html",
        {
            "community": community,
            "access": access,
            "space": found,
            "form": form,
            "list_form": list_form,
            "listed": found.listings.select_related("person").order_by("person__display_name"),
            "can": permissions.community_can(access),
            "section": "spaces",
        },
    )
