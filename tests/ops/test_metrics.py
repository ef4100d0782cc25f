"""/metrics: Prometheus text, protected by a token (or loopback only), with request latency by
view and the figures of the sweep, the outbox and the e-mail channel."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse

from ops import metrics
from tests.factories import ManagerFactory
from tests.tickets.sla.factories import ClockFactory
from tickets import tasks
from tickets.notifications import slots
from tickets.notifications.models import InboundEmail, Notification

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh(settings):
    metrics._database._cached = None
    settings.METRICS_TOKEN = "s3cret"
    with mock.patch.object(slots, "queue_task"):
        yield


def scrape(client, token="s3cret") -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_metrics_need_the_token(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_without_a_token_only_the_loopback_address_is_answered(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_requests_are_counted_by_view_and_status(client):
    client.get(reverse("portal:login"))

    text = scrape(client)

    assert 'http_requests_total{method="GET",status="200",view="portal:login"}' in text
    assert 'http_request_duration_seconds_bucket{le="0.05",view="portal:login"}' in text


def test_sweep_outbox_breaches_and_mail_figures_come_from_the_database(client):
    ClockFactory(
        started_at=NOW - timedelta(hours=3),
        due_at=NOW - timedelta(minutes=1),
        at_risk_at=NOW - timedelta(minutes=30),
        ticket__assignee=None,
    )
    ManagerFactory()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        tasks.evaluate_clocks.apply()
    InboundEmail.objects.create(message_id="<a@b>", source="pipe", received_at=NOW, action="opened")

    text = scrape(client)

    assert 'sla_clocks_flagged{kind="breached"} 1.0' in text
    assert "sla_sweep_duration_seconds " in text
    assert "outbox_rescued 0.0" in text  # the alert was just written: not behind
    assert 'sla_breaches_total{priority="P1",tier="5x8"} 1.0' in text
    assert 'outbox_depth{channel="email"} 1.0' in text
    assert "outbox_oldest_unsent_age_seconds " in text
    assert 'emails_ingested_total{action="opened"} 1.0' in text
    assert Notification.objects.count() == 1
