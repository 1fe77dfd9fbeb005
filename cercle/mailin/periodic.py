"""Received messages left waiting or failed are handled every minute: the net under the
receiver, which handles each message as it arrives (docs/mail.md)."""

from cercle.periodic.registry import Every, Job, register

register(Job("mail-in-retry", Every(minutes=1), ("mail_in_retry",)))
