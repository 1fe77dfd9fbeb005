"""What notifications ask of the apps above them (`cercle.hooks`).

Asked when an email about a topic goes out (a notification, a mailing-list email):

- `space_post_address(space)`: the address where new topics of `space` may be sent by
  email, or None. The mail-in app answers with the space's address
  (`mail.addresses.space_address`) while the space's mailbox is enabled; the first
  answer that is not None becomes the email's `List-Post: <mailto:...>`. Without an
  answer the header says `List-Post: NO` (RFC 2369: posting is not allowed).
"""

from __future__ import annotations

from cercle.communities.models import Space
from cercle.hooks import Hook

space_post_address: Hook[[Space], str | None] = Hook("space_post_address")


def post_address(space: Space) -> str | None:
    """The first address a receiver of `space_post_address` gives, or None."""
    return next((found for found in space_post_address(space) if found), None)
