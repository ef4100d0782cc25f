"""A ticket's SLA summary (tickets.sla.summary): one rule for the services and the sweep."""

from datetime import UTC, datetime, timedelta

import pytest

import tickets.services
from tickets.models import Clock, SlaState
from tickets.sla.summary import ClockFacts, clock_summary, sla_summary

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_every_exported_name_of_the_services_exists():
    for name in tickets.services.__all__:
        assert hasattr(tickets.services, name), name


def test_clock_summary_reads_a_running_clock_past_due_as_breached():
    overdue = Clock(state=SlaState.RUNNING, due_at=NOW - timedelta(minutes=1))
    risky = Clock(state=SlaState.RUNNING, due_at=NOW + timedelta(hours=1), at_risk_at=NOW)

    assert clock_summary(overdue, NOW) == SlaState.BREACHED
    assert clock_summary(risky, NOW) == SlaState.AT_RISK
    assert clock_summary(Clock(state=SlaState.MET), NOW) == SlaState.MET


def test_a_ticket_shows_its_worst_clock_and_the_nearest_running_due_time():
    soon, later = NOW + timedelta(hours=1), NOW + timedelta(hours=5)
    clocks = [
        ClockFacts(SlaState.MET, NOW - timedelta(hours=1), None, None),
        ClockFacts(SlaState.RUNNING, later, NOW - timedelta(minutes=5), None),
        ClockFacts(SlaState.RUNNING, soon, soon, None),
        ClockFacts(SlaState.PAUSED, NOW + timedelta(minutes=10), None, None),
    ]

    assert sla_summary(clocks, NOW) == (SlaState.AT_RISK, soon)


@pytest.mark.parametrize(
    ("states", "shown"),
    [
        ([SlaState.MET, SlaState.BREACHED], SlaState.BREACHED),
        ([SlaState.PAUSED, SlaState.MET], SlaState.PAUSED),
        ([SlaState.NOT_APPLICABLE, SlaState.MET], SlaState.MET),
        ([], ""),
    ],
)
def test_the_worst_state_wins(states, shown):
    clocks = [ClockFacts(state, None, None, None) for state in states]
    assert sla_summary(clocks, NOW) == (shown, None)
