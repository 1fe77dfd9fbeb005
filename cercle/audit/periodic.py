"""The security log forgets its rows past CERCLE_SECURITY_LOG_DAYS, every night."""

from datetime import time

from cercle.periodic.registry import Daily, Job, register

register(Job("forget-security-events", Daily(at=time(4, 20)), ("forget_security_events",)))
