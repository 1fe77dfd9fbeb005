"""Contest results are announced once voting has closed. The task worker also does it
at each close; this catches what it missed."""

from cercle.periodic.registry import Every, Job, register

register(Job("contest-results", Every(minutes=10), ("announce_contest_results",)))
