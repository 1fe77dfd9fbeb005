"""Event reminders go out as their time comes; rituals are planned ahead once a day."""

from datetime import time

from cercle.periodic.registry import Daily, Every, Job, register

register(Job("event-reminders", Every(minutes=15), ("send_event_reminders",)))
register(Job("plan-rituals", Daily(at=time(3, 0)), ("plan_rituals",)))
