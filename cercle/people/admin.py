from __future__ import annotations

from django.contrib import admin

from cercle.people.models import Expertise, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("person", "headline", "is_public")
    list_filter = ("is_public",)
    search_fields = ("person__email", "person__display_name", "headline")
    raw_id_fields = ("person",)


@admin.register(Expertise)
class ExpertiseAdmin(admin.ModelAdmin[Expertise]):
    list_display = ("person", "tag", "level")
    list_filter = ("level",)
    search_fields = ("person__display_name", "tag__name")
    raw_id_fields = ("person", "tag")
