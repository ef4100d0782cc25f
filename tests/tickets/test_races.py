"""Ticket invariants under concurrency, on PostgreSQL (SQLite serialises writers): the ticket
row lock makes two simultaneous first replies count once, and two simultaneous proposals of a
resolution time leave one open proposal."""

import threading
import time

import pytest
from django.db import connection

from core.errors import ServiceError
from tests.factories import ContactFactory, ContractFactory, StaffFactory, VersionFactory
from tests.tickets.helpers import MONDAY, sh, ticket_opener
from tickets.models import Agreement, EventField, Ticket, TicketEvent
from tickets.services import agreement_propose, locks, message_post
from tickets.services import agreements as agreements_service
from tickets.services import messages as messages_service

# serialized_rollback: the flush after the test would drop the seeded tiers and calendars.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(*calls) -> list[str]:
    """Run each call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def worker(call) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def slow_lock(monkeypatch):
    """Hold each caller right after it read the ticket, so that without the row lock both
    would see it unanswered (or without a proposal) and both would write."""

    def slow(ticket):
        locked = locks.lock_ticket(ticket)
        time.sleep(0.5)
        return locked

    monkeypatch.setattr(messages_service, "lock_ticket", slow)
    monkeypatch.setattr(agreements_service, "lock_ticket", slow)


@pytest.fixture
def ticket():
    version = VersionFactory()
    contract = ContractFactory(products=[version.product])
    return ticket_opener(contract, ContactFactory(contract=contract).user, version)(now=MONDAY)


def test_two_simultaneous_first_replies_count_once(slow_lock, ticket):
    left, right = StaffFactory(), StaffFactory()

    outcomes = race(
        lambda: message_post(
            ticket=Ticket.objects.get(pk=ticket.pk),
            author=left,
            body="A",
            now=sh(2026, 11, 23, 10, 30),
        ),
        lambda: message_post(
            ticket=Ticket.objects.get(pk=ticket.pk),
            author=right,
            body="B",
            now=sh(2026, 11, 23, 10, 31),
        ),
    )

    assert outcomes == ["ok", "ok"]
    # One action is one history entry, its changes listed in it (tickets.history.grouped).
    changes = [c["field"] for e in TicketEvent.objects.filter(ticket=ticket) for c in e.all_changes]
    assert changes.count(EventField.SLA_RESPONSE) == 1
    assert changes.count(EventField.STATUS) == 1


def test_two_simultaneous_proposals_leave_one_open(slow_lock, ticket):
    engineer = StaffFactory()
    message_post(ticket=ticket, author=engineer, body="Hi", now=sh(2026, 11, 23, 10, 30))

    def propose(day):
        return lambda: agreement_propose(
            ticket=Ticket.objects.get(pk=ticket.pk),
            by=engineer,
            due_at=sh(2027, 3, day, 10),
            reason="Release",
            now=sh(2026, 11, 23, 11),
        )

    outcomes = race(propose(1), propose(2))

    assert outcomes == ["agreement_open", "ok"]
    assert Agreement.objects.filter(ticket=ticket).count() == 1
