"""Races of the SLA sweep and the alert sender on PostgreSQL (SQLite serialises writers, so the
claims are only really contended here). Each worker thread has its own connection."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction

from sla.models import Metric
from tests.factories import ContractFactory, CustomerUserFactory, ManagerFactory, VersionFactory
from tests.tickets.sla.factories import TicketFactory
from tickets.models import AlertKind, Clock, ClockAlert, SlaState, Ticket, TicketEvent
from tickets.notifications import slots
from tickets.notifications.models import Notification
from tickets.notifications.sending import outbox_drain
from tickets.sla.sweep import clocks_evaluate

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

# serialized_rollback: the flush after each test would drop the seeded tiers and calendars.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _no_queueing():
    # These tests commit for real; the after-commit queueing must not reach a broker.
    with mock.patch.object(slots, "queue_task"):
        yield


def make_clocks(*, due: int, at_risk: int = 0) -> list[Clock]:
    """`due` clocks past due and `at_risk` clocks past their 75 % mark, three per ticket."""
    contract = ContractFactory()
    version = VersionFactory()
    reporter = CustomerUserFactory(customer=contract.customer)
    specs = [(NOW - timedelta(minutes=1 + i % 300), True) for i in range(due)]
    specs += [(NOW + timedelta(minutes=10), False) for _ in range(at_risk)]
    metrics = Metric.values
    tickets = [
        TicketFactory(
            contract=contract, product=version.product, version=version, reporter=reporter
        )
        for _ in range((len(specs) + 2) // 3)
    ]
    return Clock.objects.bulk_create(
        Clock(
            ticket=tickets[i // 3],
            metric=metrics[i % 3],
            started_at=due_at - timedelta(hours=2),
            target_amount=2,
            target_unit="hours",
            due_at=due_at,
            at_risk_at=due_at - timedelta(minutes=30),
        )
        for i, (due_at, _is_due) in enumerate(specs)
    )


def run_concurrently(function, workers: int = 2) -> list:
    """Start `workers` threads together; each calls `function()` on its own connection."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def work():
        try:
            barrier.wait(timeout=10)
            results.append(function())
        except Exception as exc:  # pragma: no cover - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == workers
    return results


def test_two_concurrent_evaluators_flag_each_clock_once():
    make_clocks(due=200, at_risk=60)

    results = run_concurrently(lambda: clocks_evaluate(now=NOW))

    assert sum(r.breached for r in results) == 200
    assert sum(r.at_risk for r in results) == 60
    per_clock_and_kind = Counter(ClockAlert.objects.values_list("clock_id", "kind"))
    assert len(per_clock_and_kind) == 260
    assert set(per_clock_and_kind.values()) == {1}
    assert ClockAlert.objects.filter(kind=AlertKind.BREACHED).count() == 200
    assert Clock.objects.filter(state=SlaState.BREACHED).count() == 200
    assert TicketEvent.objects.count() == 260


def test_many_concurrent_evaluators_over_several_ticks_flag_each_clock_once():
    make_clocks(due=300)

    results = run_concurrently(lambda: clocks_evaluate(now=NOW, limit=40), workers=4)
    while (more := clocks_evaluate(now=NOW, limit=40)).breached:
        results.append(more)

    assert sum(r.breached for r in results) == 300
    assert ClockAlert.objects.count() == 300
    assert set(Counter(ClockAlert.objects.values_list("clock_id", "kind")).values()) == {1}


def test_ticket_locked_by_a_ticket_service_is_skipped_then_caught_next_tick():
    clock = make_clocks(due=1)[0]
    locked = threading.Event()
    release = threading.Event()

    def hold_ticket_lock():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=clock.ticket_id)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_ticket_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        during = clocks_evaluate(now=NOW)  # does not wait for the lock
    finally:
        release.set()
        holder.join(timeout=10)
    after = clocks_evaluate(now=NOW + timedelta(minutes=1))

    assert (during.breached, after.breached) == (0, 1)
    assert ClockAlert.objects.filter(clock=clock).count() == 1


def test_two_concurrent_senders_send_each_row_once():
    ManagerFactory(language="en")
    ManagerFactory(language="zh-hans")
    make_clocks(due=60)
    clocks_evaluate(now=NOW)

    results = run_concurrently(lambda: outbox_drain(clock=lambda: NOW, budget=60))

    assert sum(r.sent for r in results) == 120
    assert sum(r.failed for r in results) == 0
    per_alert = Counter(message.extra_headers["X-SLA-Alert"] for message in mail.outbox)
    assert len(per_alert) == 60
    assert set(per_alert.values()) == {2}  # two managers, one message each
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
