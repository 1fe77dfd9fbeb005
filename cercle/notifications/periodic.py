"""The notification summaries and the digests go out in the morning: the daily ones
every day, the weekly ones on Mondays (CERCLE_TIME_ZONE's clock).

A summary holds every notification not yet emailed, so its job must run at its own
cadence only (a daily summary sent hourly would be an hourly one); a digest is sent
once per member and period however often its command runs."""

from datetime import time

from cercle.periodic.registry import Daily, Job, Weekly, register

MORNING = time(7, 0)
MONDAY = 0

register(
    Job(
        "notification-emails-daily",
        Daily(at=MORNING),
        ("send_notification_emails", "--frequency", "daily"),
    )
)
register(
    Job(
        "notification-emails-weekly",
        Weekly(weekday=MONDAY, at=MORNING),
        ("send_notification_emails", "--frequency", "weekly"),
    )
)
register(Job("digests-daily", Daily(at=MORNING), ("send_digests", "--period", "daily")))
register(Job("digests-weekly", Weekly(MONDAY, MORNING), ("send_digests", "--period", "weekly")))
