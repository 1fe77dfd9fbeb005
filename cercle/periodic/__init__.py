"""The scheduled jobs and the one entry point that runs them: `cercle periodic`.

Each app that has work to do on a schedule declares it in its own `periodic.py`
module (a `Job`: a name, a cadence, the management command it runs), which this app
discovers by app label when Django starts, as the admin discovers `admin.py`. The
entry point therefore imports no feature: the features register themselves.

`PeriodicRun` remembers each job's last run in the database, so a job runs when its
cadence says, across restarts and whichever process runs the scheduler, and two
schedulers never run the same job at once (the run is claimed with a conditional
UPDATE). `cercle serve` runs the scheduler beside the web server and the task worker.
"""
