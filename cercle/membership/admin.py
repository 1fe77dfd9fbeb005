from __future__ import annotations

from django.contrib import admin

from cercle.communities.models import (
    Community,
    InternalEmailDomain,
    Invitation,
    Membership,
    Space,
)


@admin.register(InternalEmailDomain)
class InternalEmailDomainAdmin(admin.ModelAdmin[InternalEmailDomain]):
    search_fields = ("domain",)


class SpaceInline(admin.TabularInline[Space, Community]):
    model = Space
    extra = 0
    fields = ("name", "slug", "is_private", "position")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin[Community]):
    list_display = ("name", "slug", "audience", "entry", "visibility", "language", "created_at")
    list_filter = ("audience", "entry", "visibility", "language")
    search_fields = ("name", "domain")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (SpaceInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("person", "community", "role", "status", "joined_at")
    list_filter = ("role", "status", "community")
    search_fields = ("person__email", "person__display_name", "community__name")
    raw_id_fields = ("person", "decided_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("email", "community", "invited_by", "created_at", "expires_at", "accepted_at")
    search_fields = ("email",)
    raw_id_fields = ("invited_by", "accepted_by")
