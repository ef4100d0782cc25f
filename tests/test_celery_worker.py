"""The deployed shape of the scheduled jobs: a real Celery worker process, fed through the
configured broker, runs the SLA sweep against the same database the web process uses.

Runs twice in CI: with Redis and PostgreSQL (`redis` + `postgres` markers), and on a laptop
with SQLite and kombu's file-system broker, which is what `make run` uses."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.tickets.sla.factories import ClockFactory
from tickets.models import ClockAlert, SlaState

pytestmark = pytest.mark.slow  # a Celery worker process

ROOT = Path(__file__).resolve().parent.parent


def _worker_env(tmp_path, broker_url: str) -> dict:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_VAR_DIR": str(tmp_path),
        "EMAIL_URL": "dummymail://",
    }


def _run_sweep_through_a_worker(tmp_path, broker_url: str, transport_options: dict) -> None:
    env = _worker_env(tmp_path, broker_url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-Q", "sla,outbox,default"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        sender = Celery(broker=broker_url)
        sender.conf.broker_transport_options = transport_options
        sender.send_task("tickets.tasks.evaluate_clocks", queue="sla")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ClockAlert.objects.exists():
                break
            time.sleep(0.2)  # waiting for another process, not for the clock under test
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert ClockAlert.objects.count() == 1, output


def _due_clock():
    return ClockFactory(
        ticket__opened_at=timezone.now() - timedelta(hours=3),
        due_at=timezone.now() - timedelta(hours=1),
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_on_redis_and_postgres_flags_a_due_clock(tmp_path):
    clock = _due_clock()
    _run_sweep_through_a_worker(tmp_path, settings.CELERY_BROKER_URL, {})
    clock.refresh_from_db()
    assert clock.state == SlaState.BREACHED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_on_the_file_system_broker_flags_a_due_clock(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the laptop set-up: SQLite with the file-system broker")
    clock = _due_clock()
    folder = tmp_path / "celery-broker"
    folder.mkdir()
    _run_sweep_through_a_worker(
        tmp_path,
        "filesystem://",
        {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "celery-control"),
        },
    )
    clock.refresh_from_db()
    assert clock.state == SlaState.BREACHED
