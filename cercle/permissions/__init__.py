"""The one package that answers "may this person do this here?".

Pages, the API, search, feeds, notifications and emails all ask it; none of them
decides on its own. `core` holds who a person is in a community and the questions
every feature shares (read, post, moderate, manage, animate, the readable querysets);
each feature's own questions live in a module beside it (`permissions.contests`,
`permissions.conversations`...), taking the core's `CommunityAccess`. Feature
modules import feature models for type checking only, so that the package stays
below every feature in the layers (docs/architecture.md).
"""

from cercle.permissions import (
    activities,
    badges,
    cockpit,
    contests,
    conversations,
    events,
    ideas,
    knowledge,
    notifications,
    onboarding,
    people,
    personas,
    planning,
    value,
)
from cercle.permissions.core import (
    ACTIONS,
    Action,
    Actor,
    CommunityAccess,
    communities_shared_with,
    community_access,
    community_accesses,
    community_for,
    email_is_internal,
    is_internal,
    is_staff,
    may,
    may_create_community,
    may_manage_account,
    may_see_person,
    may_use_admin_site,
    readable_spaces,
    readable_spaces_everywhere,
    space_for,
    visible_communities,
    visible_people,
)

__all__ = [
    "ACTIONS",
    "Action",
    "Actor",
    "CommunityAccess",
    "activities",
    "badges",
    "cockpit",
    "communities_shared_with",
    "community_access",
    "community_accesses",
    "community_for",
    "contests",
    "conversations",
    "email_is_internal",
    "events",
    "ideas",
    "is_internal",
    "is_staff",
    "knowledge",
    "may",
    "may_create_community",
    "may_manage_account",
    "may_see_person",
    "may_use_admin_site",
    "notifications",
    "onboarding",
    "people",
    "personas",
    "planning",
    "readable_spaces",
    "readable_spaces_everywhere",
    "space_for",
    "value",
    "visible_communities",
    "visible_people",
]
