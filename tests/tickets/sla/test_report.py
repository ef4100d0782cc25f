"""The SLA report (sla.selectors.sla_report) and its admin page."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla.models import Metric
from tests.factories import ContractFactory, ManagerFactory, StaffFactory, UserFactory, tier
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.models import SlaState
from tickets.sla.report import SlaReportRow, sla_report

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)


def clock(ticket, metric, *, state=SlaState.RUNNING, met_after=None, flagged=False, due=True):
    """A clock due two hours after the ticket opened; `met_after` reaches it after that long."""
    opened = ticket.opened_at
    due_at = opened + timedelta(hours=2) if due else None
    return ClockFactory(
        ticket=ticket,
        metric=metric,
        state=state,
        started_at=opened,
        due_at=due_at,
        at_risk_at=None,
        target_amount=2 if due else None,
        met_at=opened + met_after if met_after is not None else None,
        breached_at=due_at if flagged else None,
    )


@pytest.fixture
def history():
    """March, 5x8 P1: 3 tickets, 5 targets (2 met, 2 breached, 1 running), plus clocks without
    a target. March, 7x24 P2: 1 ticket without clocks. April, 5x8 P1: 1 met."""
    contract = ContractFactory(tier=tier("5x8"))
    a = TicketFactory(contract=contract, opened_at=MARCH)
    clock(a, Metric.RESPONSE, state=SlaState.MET, met_after=timedelta(hours=1))
    clock(a, Metric.RESTORE, state=SlaState.BREACHED, flagged=True)
    clock(a, Metric.FIX, state=SlaState.NOT_APPLICABLE, due=False)
    b = TicketFactory(contract=contract, opened_at=MARCH + timedelta(days=3))
    clock(b, Metric.RESPONSE, state=SlaState.MET, met_after=timedelta(hours=2))  # on the dot
    # Reached late before the sweep saw it: breached, though never flagged.
    clock(b, Metric.RESTORE, state=SlaState.BREACHED, met_after=timedelta(hours=3))
    clock(b, Metric.FIX, state=SlaState.RUNNING)
    TicketFactory(contract=contract, opened_at=MARCH + timedelta(days=4))
    TicketFactory(contract=ContractFactory(tier=tier("7x24")), priority="P2", opened_at=MARCH)
    c = TicketFactory(contract=contract, opened_at=APRIL)
    clock(c, Metric.RESPONSE, state=SlaState.MET, met_after=timedelta(minutes=5))


def test_report_counts_targets_met_and_breached_per_month_tier_and_priority(history):
    rows = sla_report()

    assert rows == [
        SlaReportRow(date(2026, 4, 1), "5x8", "P1", tickets=1, targets=1, met=1, breached=0),
        SlaReportRow(date(2026, 3, 1), "5x8", "P1", tickets=3, targets=5, met=2, breached=2),
        SlaReportRow(date(2026, 3, 1), "7x24", "P2", tickets=1, targets=0, met=0, breached=0),
    ]
    assert [row.share_met for row in rows] == [100.0, 50.0, None]


def test_report_month_is_the_utc_month_of_opening():
    # 1 April 01:00 in Shanghai is still March in UTC.
    TicketFactory(opened_at=datetime(2026, 3, 31, 17, 0, tzinfo=UTC))

    assert [row.month for row in sla_report()] == [date(2026, 3, 1)]


def test_report_keeps_tickets_opened_since_and_before_until(history):
    rows = sla_report(since=APRIL.replace(day=1, hour=0), until=datetime(2026, 5, 1, tzinfo=UTC))

    assert [(row.month, row.tickets) for row in rows] == [(date(2026, 4, 1), 1)]
    assert sla_report(until=APRIL.replace(day=1, hour=0))[0].month == date(2026, 3, 1)


def test_report_is_one_query(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        sla_report()


# --- the admin page ------------------------------------------------------------------------------


def test_admin_index_links_the_report_for_managers(client):
    client.force_login(ManagerFactory())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert reverse("admin:tickets_report_changelist") in response.content.decode()
    assert reverse("admin:tickets_report_changelist") == "/admin/tickets/report/"


def test_the_report_is_for_managers_only(client):
    client.force_login(StaffFactory())  # an engineer

    assert reverse("admin:tickets_report_changelist") not in client.get("/admin/").content.decode()
    assert client.get(reverse("admin:tickets_report_changelist")).status_code == 403


def test_admin_report_page_shows_the_rows(client, history):
    client.force_login(ManagerFactory())

    response = client.get(reverse("admin:tickets_report_changelist"), {"since": "2026-03"})

    assert response.status_code == 200
    assert response.templates[0].name == "admin/tickets/report.html"
    assert len(response.context["rows"]) == 3
    assert response.context["totals"]["share_met"] == 60.0
    page = response.content.decode()
    assert "2026-03" in page and "7x24" in page and "50.0 %" in page


def test_admin_report_until_month_is_inclusive(client, history):
    client.force_login(ManagerFactory())

    response = client.get(reverse("admin:tickets_report_changelist"), {"until": "2026-03"})

    assert {row.month for row in response.context["rows"]} == {date(2026, 3, 1)}


def test_admin_report_renders_with_a_fixed_number_of_queries(client):
    client.force_login(ManagerFactory())
    url = reverse("admin:tickets_report_changelist")
    contract = ContractFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    TicketFactory(contract=contract, opened_at=MARCH)
    few = queries()
    for month in range(1, 7):
        ticket = TicketFactory(contract=contract, opened_at=MARCH.replace(month=month))
        for metric in Metric.values:
            clock(ticket, metric, state=SlaState.MET, met_after=timedelta(hours=1))
    many = queries()

    assert few == many


def test_admin_report_is_closed_to_customers(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:tickets_report_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
