"""The SLA sweep's safety net: when no sender has taken a due row for OUTBOX_MAX_LAG (the
sending workers are down, or their consumer stopped), the sweep sends for a few seconds itself."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from freezegun import freeze_time

from tickets import tasks
from tickets.notifications import slots
from tickets.notifications.events import webhook_test
from tickets.notifications.models import ChatWebhook, Notification, WebhookKind

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def rows(settings):
    """Three due webhook rows, written at NOW; the drain tasks they ask for never run (their
    messages go nowhere, as with a sending worker that stopped consuming)."""
    settings.OUTBOX_MAX_LAG = 120
    chat = ChatWebhook.objects.create(name="x", kind=WebhookKind.SLACK, url="http://x.test/")
    with mock.patch.object(slots, "queue_task"):
        for n in range(3):
            webhook_test(webhook=chat, now=NOW + timedelta(microseconds=n))
    return chat


def sweep(at: datetime) -> tuple[dict, mock.Mock]:
    with (
        freeze_time(at),
        mock.patch.object(slots, "queue_task"),
        mock.patch("tickets.notifications.sending.webhook_post") as post,
    ):
        result = tasks.evaluate_clocks.apply().get()
    return result, post


def test_a_sweep_sends_what_no_sender_took_for_longer_than_the_lag(rows, caplog):
    result, post = sweep(NOW + timedelta(seconds=121))

    assert result["rescued"] == 3
    assert post.call_count == 3
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    warned = [r for r in caplog.records if r.name == "tickets.notifications.sending"]
    assert [r.levelname for r in warned] == ["WARNING"]  # the operator is told


def test_a_sweep_leaves_rows_to_the_senders_while_they_keep_up(rows):
    result, post = sweep(NOW + timedelta(seconds=60))

    assert result["rescued"] == 0
    assert post.call_count == 0
    assert Notification.objects.filter(sent_at__isnull=True).count() == 3


def test_a_row_waiting_for_its_retry_is_not_late(rows):
    # A failed row is due again only after its backoff: waiting for it is not lateness.
    Notification.objects.update(next_attempt_at=NOW + timedelta(minutes=10), attempts=1)
    result, post = sweep(NOW + timedelta(minutes=5))

    assert result["rescued"] == 0
    assert post.call_count == 0
