"""Drains are de-duplicated: at most OUTBOX_DRAIN_SLOTS run or wait at once; a sweep or a burst
of events never queues a second drain for a busy slot; a lost drain's slot frees itself."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from tickets.notifications import slots
from tickets.notifications.events import webhook_test
from tickets.notifications.models import ChatWebhook, DrainSlot, WebhookKind
from tickets.notifications.sending import outbox_drain

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def rows(settings):
    settings.OUTBOX_DRAIN_SLOTS = 2
    chat = ChatWebhook.objects.create(name="x", kind=WebhookKind.SLACK, url="http://x.test/")
    for n in range(3):
        webhook_test(webhook=chat, now=NOW + timedelta(microseconds=n))


def test_a_busy_slot_gets_no_second_drain(rows):
    with mock.patch.object(slots, "queue_task") as queue:
        first = slots.drains_start(now=NOW, wanted=5)
        second = slots.drains_start(now=NOW + timedelta(seconds=1), wanted=5)

    assert (first, second) == (2, 0)
    assert [c.kwargs["slot"] for c in queue.call_args_list] == [0, 1]


def test_a_backlog_asks_for_more_drains_than_a_trickle(rows, settings):
    with mock.patch.object(slots, "queue_task") as queue:
        assert slots.drains_start(now=NOW) == 1  # three rows: one drain
    settings.OUTBOX_DRAIN_SLOTS = 4
    with (
        mock.patch.object(slots, "ROWS_PER_DRAIN", 1),
        mock.patch.object(slots, "queue_task") as queue,
    ):
        assert slots.drains_start(now=NOW + timedelta(minutes=5)) == 4
    assert queue.call_count == 4


def test_a_lost_drain_frees_its_slot_after_the_lease(rows, settings):
    settings.OUTBOX_SLOT_LEASE = 90
    with mock.patch.object(slots, "queue_task"):
        slots.drains_start(now=NOW, wanted=2)  # both messages lost with the broker
        assert slots.drains_start(now=NOW + timedelta(seconds=60), wanted=1) == 0
        assert slots.drains_start(now=NOW + timedelta(seconds=91), wanted=1) == 1


def test_a_drain_hands_its_slot_back_when_done(rows):
    with mock.patch.object(slots, "queue_task"):
        slots.drains_start(now=NOW, wanted=1)
        with mock.patch("tickets.notifications.sending.webhook_post"):
            result = outbox_drain(slot=0, clock=lambda: NOW + timedelta(seconds=1), budget=30)

    assert result.sent == 3
    assert DrainSlot.objects.get(number=0).busy_until is None


def test_a_broker_that_is_down_hands_the_slot_back(rows):
    with mock.patch.object(slots, "queue_task", side_effect=ConnectionError("redis down")):
        assert slots.drains_start(now=NOW, wanted=1) == 0

    assert not DrainSlot.objects.filter(busy_until__isnull=False).exists()
