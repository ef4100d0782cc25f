"""SLA clock lifecycle (tickets.sla.clocks): start, at-risk mark, pause and resume in
service time, meet and breach, retarget."""

from datetime import UTC, timedelta

import pytest
from freezegun import freeze_time

from contracts.schedule import contract_schedule
from sla.models import Metric, Target
from tests.factories import ContactFactory, ContractFactory, VersionFactory
from tests.tickets.helpers import clocks_of, sh, ticket_opener
from tickets.models import SlaState
from tickets.sla.clocks import (
    at_risk_instant,
    clock_meet,
    clock_pause,
    clock_resume,
    clocks_retarget,
)

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def contract():
    """5x8, Asia/Shanghai, CN holidays."""
    return ContractFactory(products=[VersionFactory().product])


@pytest.fixture
def open_ticket(contract):
    version = contract.products.get().versions.get()
    return ticket_opener(contract, ContactFactory(contract=contract).user, version)


def test_at_risk_instant_is_75_percent_of_the_service_time(contract):
    schedule = contract_schedule(contract)
    # Fri 17:30 + 2 service hours = Mon 10:30; 75 % = 1.5 h = 30 min Friday + 1 h Monday.
    assert at_risk_instant(schedule, sh(2026, 11, 27, 17, 30), sh(2026, 11, 30, 10, 30)) == sh(
        2026, 11, 30, 10, 0
    )
    assert at_risk_instant(
        schedule, sh(2026, 11, 27, 17, 30), sh(2026, 11, 30, 10, 30), ratio=0.5
    ) == sh(2026, 11, 30, 9, 30)


def test_new_clocks_store_due_and_at_risk_in_utc(open_ticket):
    with freeze_time("2026-11-27 09:30:00"):
        ticket = open_ticket(now=sh(2026, 11, 27, 17, 30))
    clocks = clocks_of(ticket)

    response = clocks[Metric.RESPONSE]
    assert response.state == SlaState.RUNNING
    assert response.started_at == sh(2026, 11, 27, 17, 30)
    assert response.due_at == sh(2026, 11, 30, 10, 30)
    assert response.due_at.tzinfo == UTC
    assert response.at_risk_at == sh(2026, 11, 30, 10, 0)
    assert (response.target_amount, response.target_unit) == (2, "hours")
    assert clocks[Metric.RESTORE].at_risk_at == sh(2026, 11, 30, 14, 30)


def test_clock_start_outside_service_hours_is_the_next_working_morning(open_ticket):
    ticket = open_ticket(now=sh(2026, 11, 27, 19, 0))

    assert clocks_of(ticket)[Metric.RESPONSE].started_at == sh(2026, 11, 30, 9, 0)


def test_pause_and_resume_move_due_and_at_risk_by_paused_service_time(open_ticket, contract):
    ticket = open_ticket(now=sh(2026, 11, 23, 10, 0))
    restore = clocks_of(ticket)[Metric.RESTORE]
    due, at_risk = restore.due_at, restore.at_risk_at
    schedule = contract_schedule(contract)

    assert clock_pause(restore, sh(2026, 11, 23, 17, 0))
    assert restore.state == SlaState.PAUSED
    # Paused Mon 17:00 - Tue 10:00: 2 service hours, 17 elapsed hours.
    assert clock_resume(restore, schedule, sh(2026, 11, 24, 10, 0))

    restore.refresh_from_db()
    assert restore.state == SlaState.RUNNING
    assert restore.paused_total == 2 * H
    assert restore.due_at == schedule.add_service_time(due, 2 * H)
    assert restore.at_risk_at == schedule.add_service_time(at_risk, 2 * H)


def test_pausing_a_clock_past_its_due_time_leaves_the_breach_to_the_sweep(open_ticket):
    ticket = open_ticket(now=sh(2026, 11, 23, 10, 0))
    response = clocks_of(ticket)[Metric.RESPONSE]

    assert not clock_pause(response, sh(2026, 11, 23, 12, 1))
    assert response.state == SlaState.RUNNING


def test_meeting_on_the_due_instant_is_met_and_after_it_breached(open_ticket):
    first = clocks_of(open_ticket(now=sh(2026, 11, 23, 10, 0)))[Metric.RESPONSE]
    second = clocks_of(open_ticket(now=sh(2026, 11, 23, 10, 0)))[Metric.RESPONSE]

    clock_meet(first, sh(2026, 11, 23, 12, 0))
    clock_meet(second, sh(2026, 11, 23, 12, 0) + timedelta(seconds=1))

    assert first.state == SlaState.MET
    assert second.state == SlaState.BREACHED
    assert second.breached_at == sh(2026, 11, 23, 12, 0, 1)
    assert second.met_at == second.breached_at


def test_retarget_follows_an_edited_target_and_is_idempotent(open_ticket, contract):
    ticket = open_ticket(now=sh(2026, 11, 23, 10, 0))
    Target.objects.filter(tier=contract.tier, priority="P1", metric="restore").update(amount=10)
    schedule = contract_schedule(contract)

    changed = clocks_retarget(
        ticket=ticket, schedule=schedule, tier=contract.tier, priority="P1", now=ticket.opened_at
    )
    again = clocks_retarget(
        ticket=ticket, schedule=schedule, tier=contract.tier, priority="P1", now=ticket.opened_at
    )

    assert [c.metric for c in changed] == [Metric.RESTORE]
    assert again == []
    # Mon 10:00 + 10 service hours = Tue 11:00.
    assert clocks_of(ticket)[Metric.RESTORE].due_at == sh(2026, 11, 24, 11, 0)


def test_retarget_leaves_agreed_and_met_clocks_alone(open_ticket, contract):
    ticket = open_ticket(now=sh(2026, 11, 23, 10, 0))
    clocks = clocks_of(ticket)
    clock_meet(clocks[Metric.RESPONSE], sh(2026, 11, 23, 10, 30))
    fix = clocks[Metric.FIX]
    fix.due_at, fix.agreed = sh(2027, 3, 1, 10, 0), True
    fix.save()
    Target.objects.filter(tier=contract.tier, priority="P1").update(amount=1)

    clocks_retarget(
        ticket=ticket,
        schedule=contract_schedule(contract),
        tier=contract.tier,
        priority="P1",
        now=sh(2026, 11, 23, 10, 30),
    )

    after = clocks_of(ticket)
    assert after[Metric.RESPONSE].state == SlaState.MET
    assert after[Metric.RESPONSE].due_at == sh(2026, 11, 23, 12, 0)
    assert after[Metric.FIX].due_at == sh(2027, 3, 1, 10, 0)
    assert after[Metric.RESTORE].due_at == sh(2026, 11, 23, 11, 0)


def test_a_metric_that_gains_a_target_starts_counting_from_the_original_start(
    open_ticket, contract
):
    ticket = open_ticket(now=sh(2026, 11, 23, 10, 0), priority="P3")
    assert clocks_of(ticket)[Metric.RESTORE].state == SlaState.NOT_APPLICABLE
    Target.objects.filter(tier=contract.tier, priority="P3", metric="restore").update(amount=4)

    clocks_retarget(
        ticket=ticket,
        schedule=contract_schedule(contract),
        tier=contract.tier,
        priority="P3",
        now=sh(2026, 11, 23, 11, 0),
    )

    restore = clocks_of(ticket)[Metric.RESTORE]
    assert restore.state == SlaState.RUNNING
    assert restore.due_at == sh(2026, 11, 23, 14, 0)
