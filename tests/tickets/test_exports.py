"""The public names of tickets.services: callers import from the package, not its modules."""

from datetime import UTC, datetime, timedelta

import tickets.services
from sla.models import Clock, ClockState
from tickets.models import SlaState
from tickets.services import clock_summary
from tickets.services._common import clock_summary as private_clock_summary

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_every_exported_name_exists():
    for name in tickets.services.__all__:
        assert hasattr(tickets.services, name), name


def test_clock_summary_is_public_and_the_old_path_still_works():
    assert "clock_summary" in tickets.services.__all__
    assert clock_summary is private_clock_summary


def test_clock_summary_reads_a_running_clock_past_due_as_breached():
    overdue = Clock(state=ClockState.RUNNING, due_at=NOW - timedelta(minutes=1))
    risky = Clock(state=ClockState.RUNNING, due_at=NOW + timedelta(hours=1), at_risk_at=NOW)

    assert clock_summary(overdue, NOW) == SlaState.BREACHED
    assert clock_summary(risky, NOW) == SlaState.AT_RISK
    assert clock_summary(Clock(state=ClockState.MET), NOW) == SlaState.MET
