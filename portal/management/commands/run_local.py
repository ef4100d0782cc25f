"""`make run`: the web server, a Celery worker and beat in one command, for a laptop.

In production these are separate processes (gunicorn, N workers, exactly one beat); see README.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.management.commands.demo_data import demo_two_factor_help

DEMO_LOGINS = [
    ("manager@example.com", "support manager (admin)"),
    ("engineer@example.com", "support engineer (admin)"),
    ("alice@acme.example", "Acme Ltd., 5x8 named contact"),
    ("bob@globex.example", "Globex Corp., 7x24 named contact"),
    ("carol@globex.example", "Globex Corp., 7x24 named contact"),
    ("dave@initech.example", "Initech (contract pending verification)"),
    ("pat@partner.example", "Example Partner Co. (partner)"),
]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat together until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        # Ctrl-C arrives as SIGINT; a terminal closing or `kill` as SIGHUP/SIGTERM: stop the
        # children in every case (they run in their own sessions, so no signal reaches them).
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        python = sys.executable
        addr = options["addr"]
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            # -B embeds beat in the worker: fine for one laptop process, never in production,
            # where the sweep queue and the sending queue have workers of their own.
            "worker": [
                python, "-m", "celery", "-A", "config", "worker", "-B", "-Q", "sla,outbox,default",
                "--loglevel", "INFO", "--concurrency", "2",
                "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }  # fmt: skip
        # The children run as this process does: DEBUG as set here (`make run` sets it true).
        env = {**os.environ, "DJANGO_DEBUG": "true" if settings.DEBUG else "false"}
        processes = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=env, start_new_session=True)  # noqa: S603
            for name, cmd in commands.items()
        }
        self.stdout.write(self.style.SUCCESS(f"\nPortal:  http://{addr}/"))
        self.stdout.write(self.style.SUCCESS(f"Admin:   http://{addr}/admin/"))
        self.stdout.write(self.style.SUCCESS(f"API:     http://{addr}/api/docs/"))
        self.stdout.write("Logins (password demo-pass-2026):")
        for email, who in DEMO_LOGINS:
            self.stdout.write(f"  {email:24} {who}")
        self.stdout.write(demo_two_factor_help())
        self.stdout.write(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        self.stdout.write(f"Broker:   {settings.CELERY_BROKER_URL.split('@')[-1]}")
        self.stdout.write("Ctrl-C stops everything.\n")
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            for name, process in processes.items():
                if process.poll() is not None:
                    self.stderr.write(f"{name} exited with code {process.returncode}; stopping.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping...")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()  # the worker stops its own pool and beat
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
