"""/healthz and /readyz: no login, JSON, 503 naming what is wrong; readiness follows the SLA
sweep (beat) and the outbox senders."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db.utils import OperationalError
from freezegun import freeze_time

from tickets import tasks
from tickets.notifications import slots
from tickets.notifications.events import webhook_test
from tickets.notifications.models import ChatWebhook, WebhookKind

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(slots, "queue_task"):
        yield


def ready(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def sweep():
    tasks.evaluate_clocks.apply()  # through Celery's tracer: its signals record the run


def test_healthz_answers_without_login_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a load balancer asks by IP

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_readyz_is_ready_when_everything_answers_and_the_sweep_ran(client):
    with freeze_time(T0):
        sweep()
        status, body = ready(client)

    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "cache", "sla_sweep", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_turns_unhealthy_within_two_minutes_of_beat_stopping_and_back_after(client):
    with freeze_time(T0):
        sweep()
    with freeze_time(T0 + timedelta(minutes=1, seconds=59)):
        assert ready(client)[0] == 200
    with freeze_time(T0 + timedelta(minutes=2, seconds=1)):
        status, body = ready(client)
        assert status == 503
        assert body["checks"]["sla_sweep"]["ok"] is False
        assert body["checks"]["database"]["ok"] is True
    with freeze_time(T0 + timedelta(minutes=5)):
        sweep()  # beat is back
        assert ready(client)[0] == 200


def test_a_sweep_that_never_ran_is_not_ready(client):
    status, body = ready(client)

    assert status == 503
    assert "never" in body["checks"]["sla_sweep"]["detail"]


def test_an_outbox_row_waiting_past_its_due_time_makes_readyz_unhealthy(client):
    chat = ChatWebhook.objects.create(name="ops", kind=WebhookKind.SLACK, url="http://x.test/")
    with freeze_time(T0):
        sweep()
        webhook_test(webhook=chat, now=T0)
    with freeze_time(T0 + timedelta(seconds=90)):
        sweep()
        assert ready(client)[0] == 200  # due for 90 s: senders may be busy
    with freeze_time(T0 + timedelta(seconds=150)):  # the last sweep ran 60 s ago
        status, body = ready(client)
    assert status == 503
    assert body["checks"]["outbox"]["ok"] is False


def test_a_row_waiting_for_its_backoff_is_not_late(client):
    chat = ChatWebhook.objects.create(name="ops", kind=WebhookKind.SLACK, url="http://x.test/")
    webhook_test(webhook=chat, now=T0)
    chat.deliveries.update(attempts=7, next_attempt_at=T0 + timedelta(hours=1))
    with freeze_time(T0 + timedelta(minutes=30)):
        sweep()
        assert ready(client)[0] == 200


def test_a_database_that_does_not_answer_is_reported(client):
    with (
        freeze_time(T0),
        mock.patch("ops.health._database", side_effect=OperationalError("gone")),
    ):
        sweep()
        status, body = ready(client)

    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "ms": body["checks"]["database"]["ms"],
                                          "detail": "OperationalError"}  # fmt: skip
