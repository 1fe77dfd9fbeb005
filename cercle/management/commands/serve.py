"""`cercle serve`: the web server, the background-task worker and the scheduled jobs,
together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cercle.config import env_int, env_str


class Command(BaseCommand):
    help = (
        "Serve Cercle with gunicorn (static files by WhiteNoise) and run the "
        "background-task worker and the scheduled jobs (`cercle periodic`) beside it, "
        "so no crontab is needed, and the mail receiver (`cercle mail-in`) when "
        "CERCLE_MAIL_IN_BIND or CERCLE_MAIL_IN_IMAP is set. Ctrl-C (or SIGTERM) stops "
        "them all cleanly, and if one stops, the others are stopped. Run `cercle "
        "migrate` and `cercle collectstatic` first; `make run` does."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            default=env_str("CERCLE_BIND", "127.0.0.1:8000"),
            help="Address and port to listen on (default: CERCLE_BIND or 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=env_int("CERCLE_WEB_WORKERS", 2, minimum=1),
            help="Number of gunicorn worker processes (default: CERCLE_WEB_WORKERS or 2).",
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="Serve pages only; run `cercle db_worker` elsewhere to send email and "
            "run other background tasks.",
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Do not run the scheduled jobs (count tables, publishing, reminders, "
            "digests...); run `cercle periodic` elsewhere, or `cercle periodic --once` "
            "from cron.",
        )
        parser.add_argument(
            "--no-mail-in",
            action="store_true",
            help="Do not start the mail receiver even though CERCLE_MAIL_IN_BIND or "
            "CERCLE_MAIL_IN_IMAP is set; run `cercle mail-in` elsewhere.",
        )
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=15.0,
            help="Seconds to wait for each process to stop before killing it (default: 15).",
        )

    def commands(self, options: dict[str, Any]) -> dict[str, list[str]]:
        """The processes to run, by name, with their command lines."""
        python = sys.executable
        commands = {
            "web": [
                python, "-m", "gunicorn", "cercle.wsgi:application",
                "--bind", options["bind"],
                "--workers", str(options["web_workers"]),
                "--access-logfile", "-",
                "--no-control-socket",
                "--graceful-timeout", str(int(options["stop_timeout"])),
            ],
        }  # fmt: skip
        if not options["no_task_worker"]:
            commands["tasks"] = [python, "-m", "cercle", "db_worker", "--queue-name", "*"]
        if not options["no_periodic"]:
            commands["periodic"] = [python, "-m", "cercle", "periodic"]
        if not options["no_mail_in"] and (settings.MAIL_IN_BIND or settings.MAIL_IN_IMAP):
            # It reads the same settings to know where to receive.
            commands["mail-in"] = [python, "-m", "cercle", "mail-in"]
        return commands

    def handle(self, *args: Any, **options: Any) -> None:
        commands = self.commands(options)
        stopping = False

        def request_stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            for name, command in commands.items():
                # Own process group: a Ctrl-C reaches children only through us,
                # so they stop in order instead of all at once.
                processes[name] = subprocess.Popen(  # noqa: S603 - fixed argv
                    command, env=os.environ.copy(), start_new_session=True
                )
            self.stdout.write(f"Cercle is serving on http://{options['bind']}/ (Ctrl-C stops it)")
            exited = None
            while not stopping and exited is None:
                time.sleep(0.2)
                exited = next((n for n, p in processes.items() if p.poll() is not None), None)
            if exited is not None and not stopping:
                raise CommandError(
                    f"The {exited} process stopped unexpectedly "
                    f"(exit code {processes[exited].returncode}); stopping the others."
                )
        finally:
            self._stop_all(processes, options["stop_timeout"])
        self.stdout.write("Cercle stopped.")

    def _stop_all(self, processes: dict[str, subprocess.Popen[bytes]], timeout: float) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
