"""The desk's ticket list costs the same at 10k and at 1M tickets: its order is one index read in
order, filter choices come from the small tables, counts stop at a cap, the list joins only
what its columns show; and the desk's views (my tickets, unassigned, waiting on us, waiting on
the customer) sit above it with their counts."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagination import CappedPaginator
from tests.factories import ContractFactory, StaffFactory
from tests.tickets.factories import TicketFactory
from tickets.models import Ticket, TicketStatus
from tickets.selectors import desk_view_counts

pytestmark = pytest.mark.django_db
URL = reverse("admin:tickets_ticket_changelist")


@pytest.fixture
def desk(client, manager):
    client.force_login(manager)
    return client


def list_query(captured) -> str:
    """The SQL of the page's rows (the one query ordered by the desk's order)."""
    (sql,) = [q["sql"] for q in captured if 'ORDER BY "tickets_ticket"."sla_rank"' in q["sql"]]
    return sql


def test_the_desk_order_is_read_from_an_index_not_sorted(desk):
    contract = ContractFactory()
    for _ in range(3):
        TicketFactory(contract=contract)

    response = desk.get(URL)

    if connection.vendor == "postgresql":
        # Three rows: PostgreSQL would rather scan and sort (and, with the statistics other
        # tests left on the small tables, even sort after an index scan); ask whether the
        # index can serve the order: a sort is then chosen only when nothing else can.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
    plan = response.context["cl"].queryset[:50].explain()
    assert "ticket_desk_order" in plan
    assert "TEMP B-TREE" not in plan  # SQLite's word for a sort of every candidate row
    assert "Sort Key" not in plan  # PostgreSQL's


@pytest.mark.postgres
def test_the_list_sorted_by_subject_reads_an_index_in_order(desk):
    """A status's tickets by their subject column (o=1): PostgreSQL reads the subject index in
    order and sorts only each group of equal subjects by the desk's order, instead of sorting
    every ticket of the status (25,000 of the bench's 100,000)."""
    contract = ContractFactory()
    for status in ("in_progress", "in_progress", "new"):
        TicketFactory(contract=contract, status=status)

    response = desk.get(f"{URL}?status__exact=in_progress&o=1")

    assert response.status_code == 200
    with connection.cursor() as cursor:
        # Three rows: PostgreSQL would rather sort them; ask whether the index can serve.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = response.context["cl"].queryset[:50].explain()
    assert "ticket_subject_order" in plan


def test_the_sla_order_follows_every_write_of_the_summary(desk):
    """The order key is computed by the database from sla_state and next_due_at, so the
    sweep's set-wise UPDATE (tickets.sla.summary) moves a ticket without any extra write."""
    first = TicketFactory(next_due_at=datetime(2026, 11, 24, 1, tzinfo=UTC), sla_state="running")
    later = TicketFactory(next_due_at=datetime(2026, 11, 25, 1, tzinfo=UTC), sla_state="running")
    assert list(desk.get(URL).context["cl"].result_list) == [first, later]

    Ticket.objects.filter(pk=later.pk).update(sla_state="breached")

    assert list(desk.get(URL).context["cl"].result_list) == [later, first]


def test_filter_choices_never_scan_the_tickets(desk):
    engineer = StaffFactory(first_name="Wang", last_name="Wu")
    TicketFactory(assignee=engineer)

    with CaptureQueriesContext(connection) as captured:
        response = desk.get(URL)

    assert response.status_code == 200
    assert not [q["sql"] for q in captured if "DISTINCT" in q["sql"]]
    cl = response.context["cl"]
    (spec,) = [s for s in cl.filter_specs if getattr(s, "field_path", "") == "assignee"]
    engineers = [choice["display"] for choice in spec.choices(cl)]
    assert str(engineer) in engineers


def test_the_list_joins_only_what_its_columns_show(desk):
    TicketFactory()

    with CaptureQueriesContext(connection) as captured:
        desk.get(URL)

    sql = list_query(captured.captured_queries)
    assert '"contracts_customer"' in sql and '"accounts_user"' in sql
    for table in ("sla_tier", "contracts_product", "contracts_productversion"):
        assert f'"{table}"' not in sql, table


def test_the_engineer_column_shows_the_name_and_the_address_on_hover(desk):
    engineer = StaffFactory(first_name="Wang", last_name="Wu", email="wang.wu@vendor.test")
    TicketFactory(assignee=engineer, subject="Assigned one")
    TicketFactory(assignee=StaffFactory(first_name="", last_name="", email="nameless@vendor.test"))
    TicketFactory(assignee=None, subject="Nobody's")

    page = desk.get(URL).content.decode()

    cells = re.findall(r'<td class="field-engineer">(.*?)</td>', page)
    assert sorted(cells) == sorted(
        ['<span title="wang.wu@vendor.test">Wang Wu</span>', "nameless@vendor.test", "-"]
    )


def test_the_count_stops_at_its_cap(desk, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    contract = ContractFactory()
    for _ in range(5):
        TicketFactory(contract=contract)

    with CaptureQueriesContext(connection) as captured:
        response = desk.get(URL)

    assert response.context["cl"].result_count == 3
    assert response.context["cl"].paginator.capped
    assert "More than 3 tickets" in response.content.decode()
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and "tickets_ticket" in q["sql"]]
    assert counts and all("LIMIT" in sql for sql in counts)


def test_an_exact_count_below_the_cap(desk):
    contract = ContractFactory()
    for _ in range(2):
        TicketFactory(contract=contract)

    response = desk.get(URL)

    assert response.context["cl"].result_count == 2
    assert "2 tickets" in response.content.decode()


# --- the desk's views -------------------------------------------------------------------------


@pytest.fixture
def board(manager):
    contract = ContractFactory()
    other = StaffFactory()
    return {
        "mine": TicketFactory(contract=contract, assignee=manager),
        "mine_waiting": TicketFactory(
            contract=contract, assignee=manager, status=TicketStatus.WAITING
        ),
        "mine_closed": TicketFactory(
            contract=contract, assignee=manager, status=TicketStatus.CLOSED
        ),
        "unassigned": TicketFactory(contract=contract, status=TicketStatus.NEW),
        "unassigned_resolved": TicketFactory(contract=contract, status=TicketStatus.RESOLVED),
        "other_waiting": TicketFactory(contract=contract, assignee=other, status="waiting"),
        "other_restored": TicketFactory(contract=contract, assignee=other, status="restored"),
    }


@pytest.mark.parametrize(
    ("view", "names"),
    [
        ("mine", {"mine", "mine_waiting"}),
        ("unassigned", {"unassigned"}),
        ("with_us", {"mine", "unassigned", "other_restored"}),
        ("with_customer", {"mine_waiting", "other_waiting"}),
    ],
)
def test_each_view_shows_its_tickets_and_its_count(desk, board, view, names):
    response = desk.get(URL)
    views = {v["view"]: v for v in response.context["desk_views"]}
    assert views[view]["count"] == len(names)
    html = response.content.decode()
    assert f'href="?view={view}"' in html

    shown = set(desk.get(f"{URL}?view={view}").context["cl"].result_list)

    assert shown == {board[name] for name in names}


def test_the_views_are_counted_in_one_query_whatever_the_table_size(desk, board):
    with CaptureQueriesContext(connection) as few:
        desk.get(URL)
    for _ in range(10):
        TicketFactory(status=TicketStatus.NEW)

    with CaptureQueriesContext(connection) as more:
        desk.get(URL)

    assert len(more) == len(few)


def test_a_view_count_stops_at_its_cap(manager):
    contract = ContractFactory()
    for _ in range(3):
        TicketFactory(contract=contract, status=TicketStatus.NEW)

    counts = desk_view_counts(manager, cap=2)

    assert counts["unassigned"] == (2, True)
    assert counts["mine"] == (0, False)


def test_views_are_in_both_languages(desk, board, manager):
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    html = desk.get(URL).content.decode()
    assert "我的工单" in html
    assert "Unassigned" not in html
