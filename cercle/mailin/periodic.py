"""The received-mail log forgets, every night, the texts and rows it keeps no longer
(docs/mail.md)."""

from datetime import time

from cercle.periodic.registry import Daily, Job, register

register(Job("forget-received-mail", Daily(at=time(4, 30)), ("forget_received_mail",)))
