"""Webhook deliveries whose next attempt has come are sent every minute: the net under
the worker (which is asked to run each attempt at its moment). Polls that have closed
are recorded every five minutes, for the endpoints told of `poll.closed`."""

from cercle.periodic.registry import Every, Job, register

register(Job("webhooks-retry", Every(minutes=1), ("webhooks", "retry")))
register(Job("webhooks-close-polls", Every(minutes=5), ("webhooks", "close-polls")))
