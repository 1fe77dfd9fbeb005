"""Received messages left waiting or failed are handled every minute: the net under the
receiver, which handles each message as it arrives. Every night, the received-mail log
forgets the texts and rows it keeps no longer (docs/mail.md)."""

from datetime import time

from cercle.periodic.registry import Daily, Every, Job, register

register(Job("mail-in-retry", Every(minutes=1), ("mail_in_retry",)))
register(Job("forget-received-mail", Daily(at=time(4, 30)), ("forget_received_mail",)))
