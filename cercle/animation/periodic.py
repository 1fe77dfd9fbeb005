"""Planned items go out when their moment comes. The task worker also publishes each
one at its moment; this catches what it missed (a worker stopped, a backend that
cannot wait)."""

from cercle.periodic.registry import Every, Job, register

register(Job("publish-due", Every(minutes=1), ("publish_due",)))
