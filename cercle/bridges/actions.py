"""Every write of the chat bridges: connect, change, remove, send a test message.

Each checks through `permissions.bridges` (the community's coordinators), validates
(the space or tag is the community's, the addresses are HTTPS, a private space is
confirmed), then saves. The bot's access token of a Matrix bridge is stored and never
shown again; left empty when a bridge is changed, the stored one stays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.bridges import sending, transports
from cercle.bridges.messages import Message
from cercle.bridges.models import Bridge, BridgePost, Kind, News
from cercle.errors import ActionRefused
from cercle.webhooks.subjects import absolute

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.communities.models import Community, Space
    from cercle.conversations.models import Tag

# A room id (!opaque:server, or !opaque alone since room version 12) or an alias
# (#name:server).
ROOM_PATTERN = re.compile(r"^(![^\s]+|#[^:\s]+:[^\s]+)$")


@dataclass
class BridgeSettings:
    kind: str
    name: str
    news: list[str]
    space: Space | None = None
    tag: Tag | None = None
    webhook_url: str = ""
    homeserver_url: str = ""
    room: str = ""
    bot_token: str = ""
    private_confirmed: bool = False
    active: bool = True


def _require_manager(actor: User, community: Community) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, community)
    if not permissions.bridges.may_manage_bridges(access):
        raise ActionRefused(
            _("Only the community's coordinators manage its chat bridges."), not_found=True
        )
    return access


def _check(
    access: permissions.CommunityAccess, wanted: BridgeSettings, bridge: Bridge | None
) -> None:
    community = access.community
    if not wanted.name.strip():
        raise ActionRefused(_("Give the bridge a name, for example the channel it posts to."))
    if wanted.kind not in Kind.values:
        raise ActionRefused(_("Choose a chat."))
    if not wanted.news or any(news not in News.values for news in wanted.news):
        raise ActionRefused(_("Choose at least one kind of news to post."))
    if wanted.space is not None and wanted.tag is not None:
        raise ActionRefused(_("Connect a space or a tag, not both."))
    if wanted.space is not None and (
        wanted.space.community_id != community.pk
        or not permissions.bridges.may_connect(access, wanted.space)
    ):
        raise ActionRefused(_("Choose a space of the community."))
    if wanted.tag is not None and wanted.tag.community_id != community.pk:
        raise ActionRefused(_("Choose a tag of the community's vocabulary."))
    if permissions.bridges.needs_confirmation(wanted.space) and not wanted.private_confirmed:
        raise ActionRefused(
            _(
                "This space is private: confirm that its news may be posted into a chat "
                "whose members may not be the space's."
            )
        )
    _check_destination(wanted, bridge)


def _check_destination(wanted: BridgeSettings, bridge: Bridge | None) -> None:
    if wanted.kind == Kind.MATRIX:
        problem = transports.address_problem(wanted.homeserver_url)
        if problem:
            raise ActionRefused(_("Homeserver address: %(problem)s") % {"problem": problem})
        if not ROOM_PATTERN.match(wanted.room):
            raise ActionRefused(_("Give the room's id (!abc…) or alias (#room:example.org)."))
        if not wanted.bot_token and not (bridge is not None and bridge.bot_token):
            raise ActionRefused(_("Give the bot account's access token."))
    else:
        url = wanted.webhook_url or (bridge.webhook_url if bridge is not None else "")
        problem = transports.address_problem(url)
        if problem:
            raise ActionRefused(_("Webhook address: %(problem)s") % {"problem": problem})


def _apply(bridge: Bridge, wanted: BridgeSettings) -> None:
    bridge.kind = wanted.kind
    bridge.name = wanted.name.strip()[:100]
    bridge.news = [news for news in News.values if news in wanted.news]
    bridge.space = wanted.space
    bridge.tag = wanted.tag
    bridge.private_confirmed = bool(wanted.space is not None and wanted.private_confirmed)
    bridge.active = wanted.active
    if wanted.kind == Kind.MATRIX:
        bridge.webhook_url = ""
        bridge.homeserver_url = wanted.homeserver_url
        bridge.room = wanted.room.strip()
        if wanted.bot_token:
            bridge.bot_token = wanted.bot_token.strip()
    else:
        if wanted.webhook_url:
            bridge.webhook_url = wanted.webhook_url
        bridge.homeserver_url = bridge.room = bridge.bot_token = ""


def do_create_bridge(actor: User, community: Community, wanted: BridgeSettings) -> Bridge:
    access = _require_manager(actor, community)
    _check(access, wanted, None)
    bridge = Bridge(community=community, created_by=actor)
    _apply(bridge, wanted)
    with transaction.atomic():
        bridge.save()
    return bridge


def do_update_bridge(actor: User, bridge: Bridge, wanted: BridgeSettings) -> Bridge:
    """Change a bridge; the one who changes it becomes its creator, whose reading
    decides what it posts from now on."""
    access = _require_manager(actor, bridge.community)
    _check(access, wanted, bridge)
    _apply(bridge, wanted)
    bridge.created_by = actor
    with transaction.atomic():
        bridge.save()
    return bridge


def do_delete_bridge(actor: User, bridge: Bridge) -> None:
    _require_manager(actor, bridge.community)
    with transaction.atomic():
        bridge.delete()


def do_send_test(actor: User, bridge: Bridge) -> BridgePost:
    """Post a test message now (not through the worker: the coordinator waits for the
    answer, at most the transport's timeout); its outcome is on the returned post."""
    _require_manager(actor, bridge.community)
    community = bridge.community
    with translation.override(community.language):
        post = BridgePost.objects.create(bridge=bridge, title=_("Test message")[:200])
        message = Message(
            news="",
            title=_("Cercle is connected to this chat"),
            excerpt=_("The news of %(community)s will be posted here.")
            % {"community": community.name},
            url=absolute(community.get_absolute_url()),
            community=community.name,
            space=bridge.space.name if bridge.space is not None else "",
        )
    sending.send_now(post, message)
    return post
