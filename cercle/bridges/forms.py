"""The form that connects (or changes) a chat bridge."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cercle.bridges import transports
from cercle.bridges.actions import BridgeSettings
from cercle.bridges.models import Bridge, Kind, News
from cercle.communities.models import Community, Space
from cercle.conversations.models import Tag

WEBHOOK_KINDS = {Kind.SLACK, Kind.TEAMS, Kind.MATTERMOST}


class BridgeForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Where it posts, for example “#questions on Slack”."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Chat"), choices=Kind.choices, widget=forms.RadioSelect
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("What it carries"),
        required=False,
        help_text=gettext_lazy(
            "The whole community carries the news of its open spaces only; a private "
            "space's news goes only through a bridge connected to that space."
        ),
    )
    news = forms.MultipleChoiceField(
        label=gettext_lazy("News to post"),
        choices=News.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    webhook_url = forms.URLField(
        label=gettext_lazy("Webhook address (Slack, Teams, Mattermost)"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=gettext_lazy("The incoming webhook's address, starting with https://."),
    )
    homeserver_url = forms.URLField(
        label=gettext_lazy("Homeserver address (Matrix)"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=gettext_lazy("For example https://matrix.example.org."),
    )
    room = forms.CharField(
        label=gettext_lazy("Room (Matrix)"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("Its id (!abc…) or alias (#news:example.org)."),
    )
    bot_token = forms.CharField(
        label=gettext_lazy("Bot account's access token (Matrix)"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Stored, and never shown again."),
    )
    private_confirmed = forms.BooleanField(
        label=gettext_lazy(
            "I confirm that a private space's news may be posted into this chat, whose "
            "members may not be the space's."
        ),
        required=False,
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(
        self, community: Community, *args: Any, bridge: Bridge | None = None, **kwargs: Any
    ) -> None:
        if bridge is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": bridge.name,
                "kind": bridge.kind,
                "scope": _scope_value(bridge),
                "news": bridge.news,
                "homeserver_url": bridge.homeserver_url,
                "room": bridge.room,
                "private_confirmed": bridge.private_confirmed,
                "active": bridge.active,
            }
        kwargs.setdefault("initial", {"news": list(News.values), "active": True})
        super().__init__(*args, **kwargs)
        self.bridge = bridge
        self.spaces = {space.pk: space for space in community.spaces.all()}
        self.tags = {tag.pk: tag for tag in community.tags.all()}
        choices: list[tuple[str, Any]] = [("", _("The whole community (its open spaces)"))]
        spaces = [
            (
                f"space:{space.pk}",
                _("%(space)s (private)") % {"space": space.name}
                if space.is_private
                else space.name,
            )
            for space in self.spaces.values()
        ]
        if spaces:
            choices.append((_("A space"), spaces))
        tags = [(f"tag:{tag.pk}", f"#{tag.slug} ({tag.name})") for tag in self.tags.values()]
        if tags:
            choices.append((_("A tag"), tags))
        cast(forms.ChoiceField, self.fields["scope"]).choices = choices
        if bridge is None:
            del self.fields["active"]
        else:
            # Left empty, the stored address and token stay (they are never shown).
            self.fields["webhook_url"].help_text = _(
                "Leave empty to keep the current address (%(host)s)."
            ) % {"host": bridge.destination}
            self.fields["bot_token"].help_text = _("Leave empty to keep the stored token.")

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the order a coordinator fills them, under a legend each."""
        named = [
            (_("The bridge"), ["name", "kind", "active"]),
            (_("Slack, Microsoft Teams or Mattermost"), ["webhook_url"]),
            (_("Matrix"), ["homeserver_url", "room", "bot_token"]),
            (_("What it posts"), ["scope", "private_confirmed", "news"]),
        ]
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in named
        ]

    def _address(self, name: str) -> str:
        url: str = self.cleaned_data.get(name) or ""
        problem = transports.address_problem(url) if url else ""
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean_webhook_url(self) -> str:
        return self._address("webhook_url")

    def clean_homeserver_url(self) -> str:
        return self._address("homeserver_url")

    def chosen_space(self) -> Space | None:
        scope = self.cleaned_data.get("scope") or ""
        return self.spaces.get(int(scope[6:])) if scope.startswith("space:") else None

    def chosen_tag(self) -> Tag | None:
        scope = self.cleaned_data.get("scope") or ""
        return self.tags.get(int(scope[4:])) if scope.startswith("tag:") else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        stored = self.bridge is not None and self.bridge.kind == kind
        if kind in WEBHOOK_KINDS and not data.get("webhook_url") and not stored:
            self.add_error("webhook_url", _("Give the chat's incoming webhook address."))
        if kind == Kind.MATRIX:
            if not data.get("homeserver_url"):
                self.add_error("homeserver_url", _("Give the homeserver's address."))
            if not data.get("room"):
                self.add_error("room", _("Give the room's id or alias."))
            if not data.get("bot_token") and not stored:
                self.add_error("bot_token", _("Give the bot account's access token."))
        space = self.chosen_space()
        if space is not None and space.is_private and not data.get("private_confirmed"):
            self.add_error(
                "private_confirmed",
                _("This space is private: confirm, or choose an open space."),
            )
        return data

    def settings(self) -> BridgeSettings:
        data = self.cleaned_data
        return BridgeSettings(
            kind=data["kind"],
            name=data["name"],
            news=list(data["news"]),
            space=self.chosen_space(),
            tag=self.chosen_tag(),
            webhook_url=data.get("webhook_url") or "",
            homeserver_url=data.get("homeserver_url") or "",
            room=data.get("room") or "",
            bot_token=data.get("bot_token") or "",
            private_confirmed=bool(data.get("private_confirmed")),
            active=data.get("active", True) if self.bridge is not None else True,
        )


def _scope_value(bridge: Bridge) -> str:
    if bridge.space_id is not None:
        return f"space:{bridge.space_id}"
    if bridge.tag_id is not None:
        return f"tag:{bridge.tag_id}"
    return ""
