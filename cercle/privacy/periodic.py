"""Expired data exports are deleted every day (docs/privacy.md)."""

from datetime import time

from cercle.periodic.registry import Daily, Job, register

register(Job("expire-data-exports", Daily(time(3, 40)), ("expire_data_exports",)))
