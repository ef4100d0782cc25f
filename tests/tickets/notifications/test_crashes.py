"""Faults of the sending path with real processes: a sender killed between handing a mail to
the SMTP server and marking it sent re-sends that one message only, a minute later; a broker
(Redis) restart that loses the queued drain task loses nothing of the outbox."""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.utils import timezone

from tests.processes import RedisServer, process_env
from tests.tickets.notifications.conftest import send
from tickets.notifications.events import webhook_test
from tickets.notifications.models import ChatWebhook, Notification, WebhookKind

ROOT = Path(__file__).resolve().parents[3]
DRAIN = (
    "import django; django.setup();"
    "from django.utils import timezone;"
    "from tickets.notifications.sending import outbox_drain;"
    "outbox_drain(clock=timezone.now)"
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def webhooks(server, count):
    return [
        ChatWebhook.objects.create(
            name=f"chat {n}", kind=WebhookKind.SLACK, url=server.url(f"/slack/{n}")
        )
        for n in range(count)
    ]


def test_a_sender_killed_after_the_smtp_server_took_a_mail_resends_only_that_one(
    smtp_server, tmp_path, open_ticket, contact, managers
):
    for _ in range(4):
        open_ticket(priority="P2")  # acknowledgement + page: 8 mails
    rows = Notification.objects.count()
    sender = {}

    original = smtp_server.controller.handler.handle_DATA

    async def kill_on_the_third(server, session, envelope):
        answer = await original(server, session, envelope)
        if len(smtp_server.received) == 3:
            os.kill(sender["pid"], signal.SIGKILL)  # before our "250" reaches it
        return answer

    smtp_server.controller.handler.handle_DATA = kill_on_the_third
    env = process_env(tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}", OUTBOX_CLAIM=60)
    process = subprocess.Popen([sys.executable, "-c", DRAIN], cwd=ROOT, env=env)
    sender["pid"] = process.pid
    assert process.wait(timeout=60) == -signal.SIGKILL

    stranded = Notification.objects.filter(sent_at__isnull=True, claimed_by__gt="")
    assert stranded.count() == 1  # the one in flight; the rest were never claimed
    smtp_server.controller.handler.handle_DATA = original
    now = timezone.now()
    send(now)  # another sender at once: everything but the stranded row
    assert Notification.objects.filter(sent_at__isnull=True).count() == 1
    send(now + timedelta(seconds=61))  # the claim ran out: sent again

    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    copies = Counter((item.recipients[0], item["Message-ID"]) for item in smtp_server.received)
    assert len(copies) == rows  # nothing lost
    assert sorted(copies.values()) == [1] * (rows - 1) + [2]  # one message twice, no more


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_redis_restart_that_loses_the_drain_task_loses_no_notification(
    webhook_server, tmp_path, settings, monkeypatch
):
    settings.OUTBOX_SLOT_LEASE = 2  # how long a lost drain task holds its slot
    redis = RedisServer(tmp_path).start()
    # Celery prefers this variable to an app's own broker: the publishers must use ours.
    monkeypatch.setenv("CELERY_BROKER_URL", redis.url)
    worker, output = None, ""
    try:
        for chat in webhooks(webhook_server, 3):
            webhook_test(webhook=chat, now=timezone.now())  # three rows, committed
        with Celery(broker=redis.url) as request:
            request.send_task("tickets.tasks.drain_outbox", kwargs={"slot": 0}, queue="outbox")
        redis.stop()  # the queued drain is gone with it
        redis.start()
        env = process_env(tmp_path, CELERY_BROKER_URL=redis.url, OUTBOX_SLOT_LEASE=2)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "-Q", "sla,outbox,default", "--loglevel", "WARNING", "--without-heartbeat",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        # Beat's sweeps (here every second) find the rows due and, once the lost drain's slot
        # lease has run out, start a drain again.
        with Celery(broker=redis.url) as beat:
            deadline = time.monotonic() + 60
            while (
                time.monotonic() < deadline
                and Notification.objects.filter(sent_at__isnull=True).exists()
            ):
                beat.send_task("tickets.tasks.evaluate_clocks", queue="sla")
                time.sleep(1)  # waiting for another process
    finally:
        if worker is not None:
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
        redis.stop()

    assert not Notification.objects.filter(sent_at__isnull=True).exists(), output
    assert sorted(call.path for call in webhook_server.calls) == [f"/slack/{n}" for n in range(3)]
