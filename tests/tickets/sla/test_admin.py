"""The admin of SLA clocks and of the alerts in the notification outbox."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sla.models import Metric
from tests.factories import ManagerFactory
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.models import SlaState
from tickets.notifications import slots
from tickets.notifications.models import Notification
from tickets.sla.sweep import clocks_evaluate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def manager_client(client):
    client.force_login(ManagerFactory(is_superuser=True))
    return client


def breached_clock(**kwargs):
    return ClockFactory(
        started_at=NOW - timedelta(hours=3),
        due_at=NOW - timedelta(hours=1),
        at_risk_at=NOW - timedelta(hours=1, minutes=30),
        **kwargs,
    )


def test_clock_list_shows_state_badge_local_due_time_and_flags(manager_client):
    clock = breached_clock()
    clocks_evaluate(now=NOW)

    response = manager_client.get(reverse("admin:tickets_clock_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"#{clock.ticket_id}" in page
    assert '<span class="badge sla-breached">' in page
    assert "2026-03-02 15:00 (Asia/Shanghai)" in page  # 07:00 UTC
    assert "css/badges.css" in page  # the badge colours come with the page


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"breached": "yes"}, {"breached"}), ({"breached": "no"}, {"running"}), ({}, None)],
)
def test_clock_list_filters_on_breached(manager_client, query, expected):
    breached_clock()
    ClockFactory(started_at=NOW, due_at=NOW + timedelta(hours=2))
    clocks_evaluate(now=NOW)

    response = manager_client.get(reverse("admin:tickets_clock_changelist"), query)

    states = {c.state for c in response.context["cl"].result_list}
    assert states == (expected or {"breached", "running"})


def test_clock_list_runs_a_fixed_number_of_queries(manager_client):
    url = reverse("admin:tickets_clock_changelist")
    breached_clock()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        ticket = TicketFactory()
        for metric in Metric.values:
            breached_clock(ticket=ticket, metric=metric)
    assert queries() == few


def test_clocks_are_read_only_in_the_admin(manager_client):
    clock = breached_clock()

    add = manager_client.get(reverse("admin:tickets_clock_add"))
    change = manager_client.post(
        reverse("admin:tickets_clock_change", args=[clock.pk]), {"state": SlaState.MET}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    clock.refresh_from_db()
    assert clock.state == SlaState.RUNNING


def test_outbox_lists_unsent_alerts_with_attempts_and_last_error(manager_client):
    breached_clock()
    clocks_evaluate(now=NOW)
    Notification.objects.update(attempts=2, last_error="SMTPException: 421 try later")

    response = manager_client.get(
        reverse("admin:notifications_notification_changelist"), {"delivery": "unsent"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge tone-red">' in page  # failed, will be retried
    assert "421 try later" in page
    assert "(Asia/Shanghai)" in page  # times in the contract's zone, named


def test_retry_now_action_makes_waiting_rows_due(manager_client):
    breached_clock()
    clocks_evaluate(now=NOW)
    Notification.objects.update(attempts=3, next_attempt_at=timezone.now() + timedelta(minutes=4))
    row = Notification.objects.get()

    with mock.patch.object(slots, "queue_task"):
        response = manager_client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "retry", ACTION_CHECKBOX_NAME: [row.pk]},
            follow=True,
        )

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.next_attempt_at <= timezone.now()
    assert "1 notification will be sent on the next run." in response.content.decode()
