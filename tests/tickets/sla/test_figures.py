"""The SLA report's kept figures (tickets.sla.figures): after clocks end through the services and
the sweep, the figures brought up to date equal a full recount of the history."""

from datetime import UTC, date, timedelta

import pytest
from django.core.management import call_command

from contracts.services.contacts import contract_change_tier
from tests.factories import tier
from tests.tickets.helpers import MONDAY, sh
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.models import SlaFigure, SlaFigureStale, SlaState
from tickets.services import (
    message_post,
    ticket_downgrade,
    ticket_reopen,
    ticket_resolve,
    ticket_restore,
)
from tickets.sla.figures import sla_figures_count, sla_figures_refresh
from tickets.sla.sweep import clocks_evaluate

pytestmark = pytest.mark.django_db

DECEMBER = sh(2026, 12, 7, 10, 0)  # a Monday


def kept() -> set[tuple]:
    return {_cell(f) for f in SlaFigure.objects.all()}


def recounted() -> set[tuple]:
    return {_cell(f) for f in sla_figures_count()}


def _cell(f) -> tuple:
    return (f.month, f.tier_id, f.priority, f.metric, f.tickets, f.targets, f.met, f.breached)


def refreshed(now) -> set[tuple]:
    sla_figures_refresh(now=now)
    return kept()


def breached(figures: set[tuple]) -> int:
    return sum(cell[-1] for cell in figures)


@pytest.fixture
def desk(open_ticket, engineer):
    """Tickets in November and December: met, breached by the sweep, reached late, downgraded
    after a breach, restored, resolved and reopened."""
    met = open_ticket(now=MONDAY)
    message_post(ticket=met, author=engineer, body="Looking.", now=MONDAY + timedelta(minutes=10))
    late = open_ticket(now=MONDAY, priority="P2")
    swept = open_ticket(now=MONDAY)
    december = open_ticket(now=DECEMBER)
    return {"met": met, "late": late, "swept": swept, "december": december}


def test_figures_brought_up_to_date_equal_a_full_recount_after_clocks_end(desk, engineer):
    sla_figures_refresh(now=MONDAY, full=True)
    before = kept()

    # Breaches flagged by the sweep, a response reached late, a downgrade after a breach, a
    # restore and a resolution, a reopening: every way a clock ends or moves.
    later = MONDAY + timedelta(days=3)
    clocks_evaluate(now=later)
    message_post(ticket=desk["late"], author=engineer, body="Sorry.", now=later)
    message_post(ticket=desk["swept"], author=engineer, body="On it.", now=later)
    ticket_downgrade(ticket=desk["swept"], by=engineer, reason="One user only", now=later)
    ticket_restore(ticket=desk["met"], by=engineer, note="Workaround", now=later)
    ticket_resolve(ticket=desk["met"], by=engineer, note="Patched", now=later)
    ticket_reopen(ticket=desk["met"], by=desk["met"].reporter, reason="Still failing", now=later)
    message_post(ticket=desk["december"], author=engineer, body="Hi", now=DECEMBER)

    after = refreshed(later)

    assert after == recounted()
    assert after != before
    assert breached(after) > breached(before)
    assert not SlaFigureStale.objects.exists()


def test_a_change_marks_only_its_month_for_the_recount(desk, engineer):
    sla_figures_refresh(now=MONDAY, full=True)

    message_post(ticket=desk["december"], author=engineer, body="Hi", now=DECEMBER)

    assert set(SlaFigureStale.objects.values_list("month", flat=True)) == {date(2026, 12, 1)}
    assert refreshed(DECEMBER) == recounted()


def test_a_tier_change_recounts_the_contracts_closed_tickets_under_the_new_tier(
    desk, contract, manager, django_capture_on_commit_callbacks
):
    sla_figures_refresh(now=MONDAY, full=True)
    seven = tier("7x24")

    with django_capture_on_commit_callbacks(execute=True):
        contract_change_tier(contract=contract, tier=seven, by=manager, now=DECEMBER)

    after = refreshed(DECEMBER)
    assert after == recounted()
    assert {cell[1] for cell in after} == {seven.pk}


def test_the_command_rebuilds_from_history(desk):
    SlaFigure.objects.all().delete()

    call_command("rebuild_sla_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert kept() == recounted()
    assert {cell[0] for cell in kept()} == {date(2026, 11, 1), date(2026, 12, 1)}


def test_the_month_is_utc(open_ticket):
    # 1 December 07:00 in Shanghai is still November in UTC.
    open_ticket(now=sh(2026, 12, 1, 7, 0))

    sla_figures_refresh(now=MONDAY.astimezone(UTC))

    assert {cell[0] for cell in kept()} == {date(2026, 11, 1)}


def test_a_recorded_breach_stays_in_the_figures_when_the_clock_loses_its_target():
    # Breached, then the build was found unsupported: no due time any more, the breach stands.
    ticket = TicketFactory(opened_at=MONDAY)
    ClockFactory(
        ticket=ticket,
        state=SlaState.NOT_APPLICABLE,
        due_at=None,
        at_risk_at=None,
        breached_at=MONDAY + timedelta(hours=3),
    )

    sla_figures_refresh(now=MONDAY, full=True)

    response = SlaFigure.objects.get(metric="response")
    assert (response.targets, response.met, response.breached) == (1, 0, 1)
