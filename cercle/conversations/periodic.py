"""Files dropped into a composer and never published are forgotten, once a day."""

from datetime import time

from cercle.periodic.registry import Daily, Job, register

register(Job("forget-unpublished-files", Daily(at=time(4, 10)), ("forget_unpublished_files",)))
