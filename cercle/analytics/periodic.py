"""The cockpit's count tables catch up with the activity log every five minutes."""

from cercle.periodic.registry import Every, Job, register

register(Job("analytics-fill", Every(minutes=5), ("analytics", "fill")))
