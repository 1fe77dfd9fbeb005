"""Expired OAuth tokens and codes are deleted every day (docs/api.md, "OAuth applications")."""

from datetime import time

from cercle.periodic.registry import Daily, Job, register

register(Job("forget-oauth-tokens", Daily(time(3, 50)), ("forget_oauth_tokens",)))
