"""Downgrading one level after the first response (docs/spec.md "After the first response",
way 2)."""

from datetime import timedelta

import pytest

from contracts.schedule import contract_schedule
from core.errors import ServiceError
from sla.models import Metric
from tests.tickets.helpers import MONDAY, clocks_of, sh
from tickets.models import Clock, EventField, SlaState, TicketEvent
from tickets.services import message_post, ticket_downgrade

pytestmark = pytest.mark.django_db
REPLY_AT = sh(2026, 11, 23, 10, 30)
LATER = sh(2026, 11, 23, 11, 0)


@pytest.fixture
def responded(open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=REPLY_AT)
    ticket.refresh_from_db()
    return ticket


def test_downgrade_needs_the_first_response(open_ticket, engineer):
    with pytest.raises(ServiceError) as refused:
        ticket_downgrade(ticket=open_ticket(), by=engineer, reason="Only one user", now=LATER)

    assert refused.value.code == "no_first_response"


def test_downgrade_needs_a_reason(responded, engineer):
    with pytest.raises(ServiceError) as refused:
        ticket_downgrade(ticket=responded, by=engineer, reason="  ", now=LATER)

    assert (refused.value.code, refused.value.field) == ("required", "reason")


def test_downgrade_is_for_staff(responded, contact):
    with pytest.raises(ServiceError) as refused:
        ticket_downgrade(ticket=responded, by=contact, reason="x", now=LATER)

    assert refused.value.code == "forbidden"


def test_downgrade_goes_exactly_one_level_down_to_p4(responded, engineer):
    seen = []
    for _ in range(3):
        seen.append(ticket_downgrade(ticket=responded, by=engineer, reason="r", now=LATER).priority)

    assert seen == ["P2", "P3", "P4"]
    with pytest.raises(ServiceError) as refused:
        ticket_downgrade(ticket=responded, by=engineer, reason="r", now=LATER)
    assert refused.value.code == "lowest_priority"
    responded.refresh_from_db()
    assert responded.original_priority == "P1"


def test_new_targets_count_from_the_original_start_and_met_stays_met(responded, engineer, contract):
    ticket = ticket_downgrade(ticket=responded, by=engineer, reason="Partial outage", now=LATER)

    schedule = contract_schedule(contract)
    clocks = clocks_of(ticket)
    assert clocks[Metric.RESPONSE].state == SlaState.MET
    assert clocks[Metric.RESPONSE].due_at == sh(2026, 11, 23, 12, 0)  # P1's 2 h, as met
    assert clocks[Metric.RESTORE].due_at == schedule.add_service_time(MONDAY, timedelta(hours=72))
    assert clocks[Metric.RESTORE].target_amount == 72
    assert clocks[Metric.FIX].due_at == schedule.add_working_days(MONDAY, 100)
    assert clocks[Metric.RESTORE].at_risk_at == schedule.add_service_time(
        MONDAY, timedelta(hours=54)
    )


def test_a_metric_without_target_at_the_new_priority_is_not_applicable(responded, engineer):
    ticket_downgrade(ticket=responded, by=engineer, reason="r", now=LATER)

    ticket = ticket_downgrade(ticket=responded, by=engineer, reason="r", now=LATER)

    restore = clocks_of(ticket)[Metric.RESTORE]
    assert restore.state == SlaState.NOT_APPLICABLE
    assert restore.due_at is None


def test_a_recorded_breach_stays_recorded_and_the_clock_runs_to_its_new_due(responded, engineer):
    breach = sh(2026, 11, 24, 9, 1)  # P1 restore was due Tue 09:00 (Mon 10:00 + 8 h)
    Clock.objects.filter(ticket=responded, metric=Metric.RESTORE).update(
        state=SlaState.BREACHED, breached_at=breach
    )

    ticket = ticket_downgrade(
        ticket=responded, by=engineer, reason="Workaround keeps it up", now=sh(2026, 11, 24, 10)
    )

    restore = clocks_of(ticket)[Metric.RESTORE]
    assert restore.state == SlaState.RUNNING
    assert restore.breached_at == breach
    assert ticket.sla_state == "running"


def test_a_reply_late_for_the_old_target_but_in_time_for_the_new_one_is_met(open_ticket, engineer):
    ticket = open_ticket(now=MONDAY, priority="P2")
    # P2 response (4 h) answered after 6 h: breached; P3's 24 h would have been met.
    message_post(ticket=ticket, author=engineer, body="Late.", now=sh(2026, 11, 23, 16, 0))
    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.BREACHED

    ticket = ticket_downgrade(ticket=ticket, by=engineer, reason="r", now=sh(2026, 11, 23, 17))

    response = clocks_of(ticket)[Metric.RESPONSE]
    assert response.state == SlaState.MET
    assert response.breached_at is not None


def test_downgrade_writes_priority_and_due_time_history(responded, engineer):
    ticket_downgrade(ticket=responded, by=engineer, reason="Only one site", now=LATER)

    entries = TicketEvent.objects.filter(ticket=responded, at=LATER)
    by_field = {e.field: e for e in entries}
    assert (by_field[EventField.PRIORITY].before, by_field[EventField.PRIORITY].after) == (
        "P1",
        "P2",
    )
    assert by_field[EventField.PRIORITY].reason == "Only one site"
    assert by_field[EventField.PRIORITY].actor == engineer
    assert by_field[EventField.DUE_RESTORE].before == "2026-11-24T09:00+08:00"
    assert EventField.DUE_FIX in by_field
    assert EventField.DUE_RESPONSE not in by_field
