"""The SLA report (tickets.sla.report) and its admin page: chart, CSV, links to the tickets."""

import codecs
import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from sla.models import Metric
from tests.factories import ContractFactory, ManagerFactory, StaffFactory, UserFactory, tier
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.models import Clock, SlaState
from tickets.sla.admin import breached_tickets_url
from tickets.sla.figures import sla_figures_refresh
from tickets.sla.report import report_totals, sla_report

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
URL = "/admin/tickets/report/"


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


def rebuilt():
    sla_figures_refresh(now=NOW, full=True)


def test_report_counts_targets_met_and_breached_per_month_tier_priority_and_metric(history):
    rebuilt()

    rows = [
        (r.month, r.tier, r.priority, r.metric, r.tickets, r.targets, r.met, r.breached)
        for r in sla_report()
    ]

    march, april = date(2026, 3, 1), date(2026, 4, 1)
    assert rows == [
        (april, "5x8", "P1", "response", 1, 1, 1, 0),
        (april, "5x8", "P1", "restore", 1, 0, 0, 0),
        (april, "5x8", "P1", "fix", 1, 0, 0, 0),
        (march, "5x8", "P1", "response", 3, 2, 2, 0),
        (march, "5x8", "P1", "restore", 3, 2, 0, 2),
        (march, "5x8", "P1", "fix", 3, 1, 0, 0),
        (march, "7x24", "P2", "response", 1, 0, 0, 0),
        (march, "7x24", "P2", "restore", 1, 0, 0, 0),
        (march, "7x24", "P2", "fix", 1, 0, 0, 0),
    ]
    totals = report_totals(sla_report())
    assert (totals.tickets, totals.targets, totals.met, totals.breached) == (5, 6, 3, 2)
    assert (totals.running, totals.share_met) == (1, 60.0)


def test_report_month_is_the_utc_month_of_opening():
    # 1 April 01:00 in Shanghai is still March in UTC.
    TicketFactory(opened_at=datetime(2026, 3, 31, 17, 0, tzinfo=UTC))
    rebuilt()

    assert {row.month for row in sla_report()} == {date(2026, 3, 1)}


def test_report_keeps_months_from_since_to_before_until(history):
    rebuilt()

    rows = sla_report(since=date(2026, 4, 1), until=date(2026, 5, 1))

    assert {(row.month, row.tickets) for row in rows} == {(date(2026, 4, 1), 1)}
    assert {row.month for row in sla_report(until=date(2026, 4, 1))} == {date(2026, 3, 1)}


def test_report_narrows_to_a_tier_and_a_metric(history):
    rebuilt()

    rows = sla_report(tier="5x8", metric=Metric.RESTORE)

    assert [(r.month, r.breached) for r in rows] == [(date(2026, 4, 1), 0), (date(2026, 3, 1), 2)]


def test_report_is_one_query(history, django_assert_num_queries):
    rebuilt()
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
    rebuilt()
    client.force_login(ManagerFactory())

    response = client.get(URL, {"since": "2026-03", "until": "2026-04"})

    assert response.status_code == 200
    assert response.templates[0].name == "admin/tickets/report.html"
    assert len(response.context["rows"]) == 9
    assert response.context["totals"].share_met == 60.0
    page = response.content.decode()
    assert "2026-03" in page and "7x24" in page and "100.0 %" in page


def test_admin_report_until_month_is_inclusive(client, history):
    rebuilt()
    client.force_login(ManagerFactory())

    response = client.get(URL, {"since": "2026-01", "until": "2026-03"})

    assert {row.month for row in response.context["rows"]} == {date(2026, 3, 1)}


@freeze_time(NOW)
def test_admin_report_shows_the_last_twelve_months_by_default(client):
    TicketFactory(opened_at=datetime(2025, 4, 30, 12, 0, tzinfo=UTC))  # thirteen months ago
    TicketFactory(opened_at=datetime(2025, 5, 1, 0, 0, tzinfo=UTC))
    TicketFactory(opened_at=datetime(2026, 4, 19, 0, 0, tzinfo=UTC))
    rebuilt()
    client.force_login(ManagerFactory())

    response = client.get(URL)

    assert {row.month for row in response.context["rows"]} == {
        date(2025, 5, 1),
        date(2026, 4, 1),
    }
    assert (response.context["since"], response.context["until"]) == (
        date(2025, 5, 1),
        date(2026, 4, 1),
    )
    assert response.context["form"]["since"].value() is None  # the form stays changeable


def test_admin_report_refuses_a_month_out_of_range_with_a_form_error(client, history):
    client.force_login(ManagerFactory())

    response = client.get(URL, {"since": "1999-12", "until": "2026-13"})

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert errors["since"][0].code == "out_of_range"
    assert errors["until"][0].code == "invalid"


def test_admin_report_says_when_the_figures_were_brought_up_to_date(client, history):
    sla_figures_refresh(now=datetime(2026, 4, 20, 8, 5, tzinfo=UTC), full=True)
    client.force_login(ManagerFactory())

    page = client.get(URL).content.decode()

    assert "2026-04-20 16:05 (Asia/Shanghai) · 2026-04-20 08:05 UTC" in page


def test_admin_report_draws_the_share_met_and_the_breaches_per_priority(client, history):
    rebuilt()
    client.force_login(ManagerFactory())

    page = client.get(URL, {"since": "2026-03", "until": "2026-04"}).content.decode()

    # The share met of 5x8 and of 7x24, the breaches per priority.
    assert page.count('<svg class="sla-chart ') == 3
    dots = set(
        re.findall(
            r'data-tier="([^"]+)" data-metric="(\w+)" data-month="([\d-]+)" '
            r'data-share="([\d.]+)"',
            page,
        )
    )
    assert dots == {
        ("5x8", "response", "2026-03", "100.0"),
        ("5x8", "restore", "2026-03", "0.0"),
        ("5x8", "response", "2026-04", "100.0"),
    }
    bars = re.findall(r'data-priority="(P\d)" data-month="([\d-]+)" data-breached="(\d+)"', page)
    assert bars == [("P1", "2026-03", "2")]


def test_admin_report_exports_the_rows_shown_as_csv_for_excel(client, history):
    rebuilt()
    client.force_login(ManagerFactory())

    response = client.get(
        URL, {"since": "2026-03", "until": "2026-04", "tier": "5x8", "format": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sla-report-2026-03-2026-04.csv"'
    )
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["Month", "Tier", "Priority", "Metric"]
    assert lines[1:] == [
        ["2026-04", "5x8", "P1", "response", "1", "1", "1", "0", "0", "100.0"],
        ["2026-04", "5x8", "P1", "restore", "1", "0", "0", "0", "0", ""],
        ["2026-04", "5x8", "P1", "fix", "1", "0", "0", "0", "0", ""],
        ["2026-03", "5x8", "P1", "response", "3", "2", "2", "0", "0", "100.0"],
        ["2026-03", "5x8", "P1", "restore", "3", "2", "0", "2", "0", "0.0"],
        ["2026-03", "5x8", "P1", "fix", "3", "1", "0", "0", "1", ""],
    ]


def test_admin_report_csv_is_in_chinese_for_a_chinese_manager(client, history):
    rebuilt()
    client.force_login(ManagerFactory(language="zh-hans"))

    response = client.get(
        URL, {"since": "2026-03", "until": "2026-03", "tier": "5x8", "format": "csv"}
    )

    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[0] == "月份"


def test_a_breached_count_links_to_exactly_the_tickets_behind_it(client, history):
    contract = ContractFactory(tier=tier("5x8"))
    # Near misses: another metric, another month, another priority, another tier.
    other_metric = TicketFactory(contract=contract, opened_at=MARCH)
    clock(other_metric, Metric.RESPONSE, state=SlaState.BREACHED, flagged=True)
    other_month = TicketFactory(contract=contract, opened_at=APRIL)
    clock(other_month, Metric.RESTORE, state=SlaState.BREACHED, flagged=True)
    other_priority = TicketFactory(contract=contract, opened_at=MARCH, priority="P2")
    clock(other_priority, Metric.RESTORE, state=SlaState.BREACHED, flagged=True)
    other_tier = TicketFactory(contract=ContractFactory(tier=tier("7x24")), opened_at=MARCH)
    clock(other_tier, Metric.RESTORE, state=SlaState.BREACHED, flagged=True)
    rebuilt()
    client.force_login(ManagerFactory())
    page = client.get(URL, {"since": "2026-03", "until": "2026-03", "metric": "restore"})
    row = next(r for r in page.context["rows"] if (r.tier, r.priority) == ("5x8", "P1"))
    link = breached_tickets_url(row)
    assert row.breached == 2
    assert html.escape(link) in page.content.decode()

    desk = client.get(link)

    assert desk.status_code == 200
    shown = {ticket.subject for ticket in desk.context["cl"].result_list}
    expected = set(
        Clock.objects.filter(
            metric="restore",
            ticket__priority="P1",
            ticket__contract__tier__code="5x8",
            ticket__opened_at__month=3,
            state=SlaState.BREACHED,
        ).values_list("ticket__subject", flat=True)
    )
    assert shown == expected
    assert len(shown) == row.breached


def test_the_recount_button_rebuilds_the_figures(client, history):
    client.force_login(ManagerFactory())
    assert client.get(URL, {"since": "2026-03"}).context["rows"] == []

    response = client.post(f"{URL}?since=2026-03")

    assert response.status_code == 302
    assert len(client.get(URL, {"since": "2026-03"}).context["rows"]) == 9


def test_admin_report_renders_with_a_fixed_number_of_queries(client):
    client.force_login(ManagerFactory())
    url = reverse("admin:tickets_report_changelist")
    contract = ContractFactory()

    def queries() -> int:
        rebuilt()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"since": "2026-01", "until": "2026-12"}).status_code == 200
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
