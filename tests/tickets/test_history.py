"""Every change of priority, status, due time, assignee or agreement is kept in the history:
who, when, before, after, why (docs/spec.md "After the first response")."""

import pytest
from django.utils import translation

from tests.tickets.helpers import MONDAY, changes_at, sh
from tickets.models import EventField, TicketEvent
from tickets.services import (
    agreement_accept,
    agreement_propose,
    message_post,
    ticket_assign,
    ticket_downgrade,
    ticket_resolve,
    ticket_wait_for_customer,
)

pytestmark = pytest.mark.django_db


def test_a_tickets_journey_is_recorded_step_by_step(open_ticket, engineer, contact):
    ticket = open_ticket(now=MONDAY)
    steps = [
        (
            sh(2026, 11, 23, 10, 5),
            lambda at: ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=at),
        ),
        (
            sh(2026, 11, 23, 10, 30),
            lambda at: message_post(
                ticket=ticket, author=engineer, body="Send the logs please.", now=at
            ),
        ),
        (
            sh(2026, 11, 23, 10, 31),
            lambda at: ticket_wait_for_customer(ticket=ticket, by=engineer, reason="Logs", now=at),
        ),
        (
            sh(2026, 11, 23, 14, 0),
            lambda at: message_post(ticket=ticket, author=contact, body="Attached.", now=at),
        ),
        (
            sh(2026, 11, 23, 15, 0),
            lambda at: ticket_downgrade(ticket=ticket, by=engineer, reason="One node only", now=at),
        ),
        (
            sh(2026, 11, 23, 15, 5),
            lambda at: agreement_propose(
                ticket=ticket, by=engineer, due_at=sh(2027, 3, 1, 10), reason="Release", now=at
            ),
        ),
        (
            sh(2026, 11, 23, 15, 10),
            lambda at: agreement_accept(agreement=ticket.agreements.get(), by=contact, now=at),
        ),
        (
            sh(2026, 11, 23, 16, 0),
            lambda at: ticket_resolve(ticket=ticket, by=engineer, note="Patched", now=at),
        ),
    ]
    with translation.override("en"):  # reasons are recorded in the caller's language
        for at, step in steps:
            step(at)

    recorded = {at: sorted(changes_at(ticket, at)) for at, _ in steps}
    assert recorded == {
        sh(2026, 11, 23, 10, 5): [EventField.ASSIGNEE],
        sh(2026, 11, 23, 10, 30): [EventField.SLA_RESPONSE, EventField.STATUS],
        sh(2026, 11, 23, 10, 31): [
            EventField.SLA_FIX,
            EventField.SLA_RESTORE,
            EventField.STATUS,
        ],
        sh(2026, 11, 23, 14, 0): [
            EventField.DUE_FIX,
            EventField.DUE_RESTORE,
            EventField.SLA_FIX,
            EventField.SLA_RESTORE,
            EventField.STATUS,
        ],
        sh(2026, 11, 23, 15, 0): [EventField.DUE_FIX, EventField.DUE_RESTORE, EventField.PRIORITY],
        sh(2026, 11, 23, 15, 5): [EventField.AGREEMENT],
        # Restore is not met yet: the agreed time applies to it too.
        sh(2026, 11, 23, 15, 10): [
            EventField.AGREEMENT,
            EventField.DUE_FIX,
            EventField.DUE_RESTORE,
        ],
        sh(2026, 11, 23, 16, 0): [EventField.SLA_FIX, EventField.SLA_RESTORE, EventField.STATUS],
    }
    before, after, resumed = changes_at(ticket, sh(2026, 11, 23, 14))["status"]
    assert (resumed.actor, before, after) == (contact, "waiting", "in_progress")
    assert resumed.reason == "The customer replied."
    # One action, one entry: the public changes of each step in one row (the assignment, which
    # the customer never sees, in a row of its own).
    rows = {at: TicketEvent.objects.filter(ticket=ticket, at=at).count() for at, _ in steps}
    assert set(rows.values()) == {1}
