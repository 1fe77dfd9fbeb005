"""Webhook deliveries whose next attempt has come are sent every minute: the net under
the worker (which is asked to run each attempt at its moment)."""

from cercle.periodic.registry import Every, Job, register

register(Job("webhooks-retry", Every(minutes=1), ("webhooks", "retry")))
