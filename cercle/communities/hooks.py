"""What the community actions announce to the apps above them (`cercle.hooks`).

Each hook is called inside the action's transaction, after its activity event:

- `member_joined(membership)`: someone has just become an active member (an open
  join, an approved request, an accepted invitation). Onboarding welcomes them.
- `request_decided(actor, membership)`: a request to join was approved or declined
  (`membership.is_active` says which); called before `member_joined` when approved.
  Notifications tell the person in the app.
- `invited(actor, invitee, community)`: an invitation went to the address of an
  existing account. Notifications tell them in the app.
"""

from __future__ import annotations

from cercle.accounts.models import User
from cercle.communities.models import Community, Membership
from cercle.hooks import Hook

member_joined: Hook[[Membership], object] = Hook("member_joined")
request_decided: Hook[[User, Membership], object] = Hook("request_decided")
invited: Hook[[User, User, Community], object] = Hook("invited")
