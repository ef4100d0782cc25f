"""Waiting for the customer, restored, resolved, closed, reopened, unsupported build."""

from datetime import timedelta

import pytest

from contracts.schedule import contract_schedule
from core.errors import ServiceError
from sla.models import Metric
from tests.tickets.helpers import clocks_of, sh
from tickets.models import AgreementStatus, EventField, Message, SlaState, TicketEvent, TicketStatus
from tickets.services import (
    agreement_propose,
    message_post,
    ticket_close,
    ticket_downgrade,
    ticket_mark_unsupported_build,
    ticket_reopen,
    ticket_resolve,
    ticket_restore,
    ticket_resume,
    ticket_wait_for_customer,
)

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
FRIDAY = sh(2026, 11, 27, 10, 0)


@pytest.fixture
def responded(open_ticket, engineer):
    """A P1 5x8 ticket opened Friday 2026-11-27 10:00, answered at 10:30. Restore is due at
    18:00 = Monday 09:00 (8 service hours)."""
    ticket = open_ticket(now=FRIDAY)
    message_post(ticket=ticket, author=engineer, body="On it.", now=sh(2026, 11, 27, 10, 30))
    ticket.refresh_from_db()
    return ticket


def test_waiting_over_a_weekend_moves_restore_and_fix_by_service_time_only(
    responded, engineer, contact, contract
):
    before = clocks_of(responded)
    assert before[Metric.RESTORE].due_at == sh(2026, 11, 30, 9, 0)

    ticket_wait_for_customer(
        ticket=responded, by=engineer, reason="Send logs", now=sh(2026, 11, 27, 16, 0)
    )
    paused = clocks_of(responded)
    message_post(ticket=responded, author=contact, body="Logs", now=sh(2026, 11, 30, 10, 0))

    after = clocks_of(responded)
    # Fri 16:00-18:00 and Mon 09:00-10:00: 3 service hours out of 66 elapsed.
    assert paused[Metric.RESTORE].state == SlaState.PAUSED
    assert paused[Metric.FIX].state == SlaState.PAUSED
    assert after[Metric.RESTORE].paused_total == 3 * H
    assert after[Metric.RESTORE].due_at == sh(2026, 11, 30, 12, 0)
    assert after[Metric.FIX].due_at == contract_schedule(contract).add_service_time(
        before[Metric.FIX].due_at, 3 * H
    )
    assert after[Metric.RESTORE].state == SlaState.RUNNING
    assert after[Metric.RESPONSE].due_at == before[Metric.RESPONSE].due_at


def test_the_response_clock_never_pauses(open_ticket, engineer):
    ticket = open_ticket(now=FRIDAY)

    ticket_wait_for_customer(ticket=ticket, by=engineer, reason="Which version?", now=FRIDAY)

    response = clocks_of(ticket)[Metric.RESPONSE]
    assert response.state == SlaState.RUNNING
    assert response.due_at == sh(2026, 11, 27, 12, 0)
    ticket.refresh_from_db()
    assert ticket.next_due_at == response.due_at


def test_pauses_accumulate(responded, engineer, contact):
    ticket_wait_for_customer(ticket=responded, by=engineer, reason="a", now=sh(2026, 11, 27, 11))
    ticket_resume(ticket=responded, by=contact, now=sh(2026, 11, 27, 12))
    ticket_wait_for_customer(ticket=responded, by=engineer, reason="b", now=sh(2026, 11, 27, 17))
    ticket_resume(ticket=responded, by=engineer, now=sh(2026, 11, 30, 9, 30))

    restore = clocks_of(responded)[Metric.RESTORE]
    assert restore.paused_total == timedelta(hours=2, minutes=30)
    assert restore.due_at == sh(2026, 11, 30, 11, 30)


def test_waiting_needs_a_reason_and_staff(responded, engineer, contact):
    with pytest.raises(ServiceError) as no_reason:
        ticket_wait_for_customer(ticket=responded, by=engineer, reason=" ", now=FRIDAY)
    with pytest.raises(ServiceError) as not_staff:
        ticket_wait_for_customer(ticket=responded, by=contact, reason="x", now=FRIDAY)
    assert (no_reason.value.code, no_reason.value.field) == ("required", "reason")
    assert not_staff.value.code == "forbidden"


def test_a_paused_ticket_shows_paused_and_no_next_due(responded, engineer):
    message_post(ticket=responded, author=engineer, body="x", now=sh(2026, 11, 27, 11))
    ticket = ticket_wait_for_customer(
        ticket=responded, by=engineer, reason="Logs", now=sh(2026, 11, 27, 11)
    )

    assert ticket.sla_state == SlaState.PAUSED
    assert ticket.next_due_at is None


def test_restored_meets_the_restore_clock(responded, engineer):
    ticket = ticket_restore(
        ticket=responded, by=engineer, note="Restarted", now=sh(2026, 11, 27, 15)
    )

    clocks = clocks_of(ticket)
    assert clocks[Metric.RESTORE].state == SlaState.MET
    assert clocks[Metric.FIX].state == SlaState.RUNNING
    assert ticket.status == TicketStatus.RESTORED
    assert ticket.restored_at == sh(2026, 11, 27, 15)


def test_restore_and_resolve_need_the_first_response(open_ticket, engineer):
    ticket = open_ticket(now=FRIDAY)

    for service in (ticket_restore, ticket_resolve):
        with pytest.raises(ServiceError) as refused:
            service(ticket=ticket, by=engineer, now=FRIDAY)
        assert refused.value.code == "no_first_response"


def test_resolved_meets_fix_and_stops_every_clock(responded, engineer):
    ticket = ticket_resolve(ticket=responded, by=engineer, note="Patched", now=sh(2026, 11, 27, 15))

    clocks = clocks_of(ticket)
    assert {c.state for c in clocks.values()} == {SlaState.MET}
    assert clocks[Metric.FIX].met_at == sh(2026, 11, 27, 15)
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.next_due_at is None
    assert ticket.sla_state == SlaState.MET


def test_resolving_keeps_a_breach_breached(responded, engineer):
    # Restore was due Monday 09:00: resolving on Monday 10:00 is late for it.
    ticket = ticket_resolve(ticket=responded, by=engineer, now=sh(2026, 11, 30, 10))

    clocks = clocks_of(ticket)
    assert clocks[Metric.RESTORE].state == SlaState.BREACHED
    assert clocks[Metric.FIX].state == SlaState.MET
    assert ticket.sla_state == SlaState.BREACHED


def test_resolving_while_waiting_meets_the_paused_clocks(responded, engineer):
    ticket_wait_for_customer(ticket=responded, by=engineer, reason="x", now=sh(2026, 11, 27, 11))

    ticket = ticket_resolve(ticket=responded, by=engineer, now=sh(2026, 12, 1, 10))

    assert {c.state for c in clocks_of(ticket).values()} == {SlaState.MET}


def test_resolving_withdraws_an_open_proposal(responded, engineer):
    agreement = agreement_propose(
        ticket=responded,
        by=engineer,
        due_at=sh(2027, 3, 1, 10),
        reason="Needs a release",
        now=FRIDAY,
    )

    ticket_resolve(ticket=responded, by=engineer, now=sh(2026, 11, 27, 15))

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.WITHDRAWN


def test_close_only_a_resolved_ticket(responded, engineer, contact):
    with pytest.raises(ServiceError) as not_resolved:
        ticket_close(ticket=responded, by=engineer, now=FRIDAY)
    assert not_resolved.value.code == "not_resolved"
    ticket_resolve(ticket=responded, by=engineer, now=sh(2026, 11, 27, 15))

    ticket = ticket_close(ticket=responded, by=contact, now=sh(2026, 11, 27, 16))

    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closed_at == sh(2026, 11, 27, 16)
    with pytest.raises(ServiceError) as closed:
        ticket_reopen(ticket=ticket, by=contact, reason="again", now=sh(2026, 11, 27, 17))
    assert closed.value.code == "not_resolved"


def test_reopening_runs_the_fix_clock_again_moved_by_the_time_resolved(
    responded, engineer, contact, contract
):
    fix_due = clocks_of(responded)[Metric.FIX].due_at
    ticket_resolve(ticket=responded, by=engineer, now=sh(2026, 11, 27, 15))

    ticket = ticket_reopen(
        ticket=responded, by=contact, reason="Still crashing", now=sh(2026, 11, 30, 10)
    )

    clocks = clocks_of(ticket)
    # Resolved Fri 15:00 - Mon 10:00: 4 service hours.
    assert clocks[Metric.FIX].state == SlaState.RUNNING
    assert clocks[Metric.FIX].met_at is None
    assert clocks[Metric.FIX].due_at == contract_schedule(contract).add_service_time(fix_due, 4 * H)
    assert clocks[Metric.RESPONSE].state == SlaState.MET
    assert ticket.status == TicketStatus.RESTORED
    assert ticket.resolved_at is None
    with pytest.raises(ServiceError) as not_resolved:
        ticket_reopen(ticket=ticket, by=contact, reason="again", now=sh(2026, 11, 30, 11))
    assert not_resolved.value.code == "not_resolved"


def test_unsupported_build_stops_the_clocks_and_tells_the_customer(open_ticket, engineer):
    ticket = open_ticket(now=FRIDAY)
    message_post(ticket=ticket, author=engineer, body="Hi", now=sh(2026, 11, 27, 10, 30))

    ticket = ticket_mark_unsupported_build(
        ticket=ticket,
        by=engineer,
        reason="The broker was rebuilt with a patched MQTT codec.",
        now=sh(2026, 11, 27, 11),
    )

    clocks = clocks_of(ticket)
    assert clocks[Metric.RESPONSE].state == SlaState.MET
    assert clocks[Metric.RESTORE].state == SlaState.NOT_APPLICABLE
    assert clocks[Metric.FIX].state == SlaState.NOT_APPLICABLE
    assert clocks[Metric.FIX].due_at is None
    assert ticket.unsupported_build is True
    assert ticket.next_due_at is None
    assert ticket.sla_state == SlaState.MET
    told = Message.objects.filter(ticket=ticket, public=True).last()
    assert "patched MQTT codec" in told.body
    entry = TicketEvent.objects.get(ticket=ticket, field=EventField.UNSUPPORTED_BUILD)
    assert entry.public and "patched MQTT codec" in entry.reason


def test_unsupported_build_needs_a_reason_and_happens_once(open_ticket, engineer):
    ticket = open_ticket(now=FRIDAY)
    with pytest.raises(ServiceError) as no_reason:
        ticket_mark_unsupported_build(ticket=ticket, by=engineer, reason=" ", now=FRIDAY)
    assert (no_reason.value.code, no_reason.value.field) == ("required", "reason")
    ticket_mark_unsupported_build(ticket=ticket, by=engineer, reason="Modified", now=FRIDAY)

    with pytest.raises(ServiceError) as again:
        ticket_mark_unsupported_build(ticket=ticket, by=engineer, reason="Again", now=FRIDAY)

    assert again.value.code == "unsupported_build"
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_unsupported_build_clocks_stay_out_of_a_later_downgrade(open_ticket, engineer):
    ticket = open_ticket(now=FRIDAY)
    ticket_mark_unsupported_build(ticket=ticket, by=engineer, reason="Modified", now=FRIDAY)

    ticket_downgrade(ticket=ticket, by=engineer, reason="Minor", now=sh(2026, 11, 27, 11))

    assert clocks_of(ticket)[Metric.RESTORE].state == SlaState.NOT_APPLICABLE
