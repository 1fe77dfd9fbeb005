"""Badges earned are awarded, and last month's showcase filled, every hour."""

from cercle.periodic.registry import Every, Job, register

register(Job("award-badges", Every(hours=1), ("award_badges",)))
