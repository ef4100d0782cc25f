"""Benchmark one SLA evaluation tick (tickets.sla.sweep.clocks_evaluate) against the size of the
set of open clocks, on PostgreSQL.

    python bench/breach_scan.py [--open 1000000 | --short] [--due 1000] [--clusters 12]
                                [--repeat 5] [--history 0] [--database-url postgres://...]

It works in a database of its own (`support_portal_bench` on the server of DATABASE_URL, created
and migrated when missing) and fills it with raw `INSERT ... SELECT generate_series`: N running
clocks, three per open ticket (response, restore, fix), due over the next 60 days; optionally
`--history` met clocks of closed tickets. Then `--due` of them fall due (due time in the past),
in `--clusters` runs of consecutive clocks (what falls due in a given minute are the tickets
opened one target ago, for each of a dozen targets; `--clusters` equal to `--due` scatters them
one by one, the worst case for the buffer cache). One tick is timed: the scan through the
partial index, the ticket locks, the bulk claim (one UPDATE ... RETURNING), the history entries
and the alerts with their deliveries (INSERT ... SELECT), the ticket summaries (one UPDATE).
Mail is not sent (starting the drains after commit is patched out). Each size is measured
`--repeat` times (the flags are reset and the tables vacuumed between runs).

The same is then measured with 10,000 open clocks. Goals: a tick under 100 ms for 1,000 new
breaches, and an N / 10,000 tick-time ratio under 2 (the scan does not grow with the open set).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere

BENCH_DATABASE = "support_portal_bench"
SMALL = 10_000
GOAL_TICK_MS = 100.0
GOAL_RATIO = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="running clocks (N)")
    parser.add_argument("--short", action="store_true", help="N = 100,000 (for CI)")
    parser.add_argument("--due", type=int, default=1000, help="clocks that fall due")
    parser.add_argument("--repeat", type=int, default=5, help="timed ticks per size")
    parser.add_argument("--history", type=int, default=0, help="met clocks of closed tickets")
    parser.add_argument(
        "--clusters",
        type=int,
        default=12,
        help="the due clocks form this many runs of consecutive clocks (default 12, about the "
        "number of distinct targets: what falls due in a minute are tickets opened one target "
        "ago); --clusters equal to --due spreads them one by one, the worst case for caching",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server (default: $DATABASE_URL); the bench uses its own database on it",
    )
    args = parser.parse_args()
    if args.short:
        args.open = 100_000
    args.clusters = max(1, min(args.clusters, args.due))
    if args.due > min(args.open, SMALL):
        parser.error(f"--due must be at most {min(args.open, SMALL)}")
    return args


def bench_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        sys.exit(
            "breach_scan needs PostgreSQL (the partial indexes and the row locks are what it "
            "measures): pass --database-url postgres://USER@HOST:PORT/DB or set DATABASE_URL."
        )
    return urlunparse(parsed._replace(path=f"/{BENCH_DATABASE}"))


def ensure_database(url: str) -> None:
    """The bench's own database, made anew on every run (an older schema is never reused)."""
    import psycopg

    parsed = urlparse(url)
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        print(f"created database {BENCH_DATABASE}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # What production runs: DEBUG off (no query log).
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- filling ---------------------------------------------------------------------------------


def sql(statement: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def columns(model) -> list[str]:
    return [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)  # sla_rank: computed
    ]


def copy_select(model, overrides: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT list that copy a template row `t`, with some columns replaced by
    SQL expressions: new fields of the model are copied without this script knowing them."""
    from django.db import connection

    qn = connection.ops.quote_name
    cols = columns(model)
    unknown = set(overrides) - set(cols)
    assert not unknown, unknown
    return (
        ", ".join(qn(c) for c in cols),
        ", ".join(overrides.get(c, f"t.{qn(c)}") for c in cols),
    )


def reference_rows(now):
    """Customer, contract, product, version and reporter the bench tickets share."""
    from django.contrib.auth import get_user_model

    from contracts.models import (
        Contract,
        ContractStatus,
        Customer,
        LicenceType,
        Product,
        ProductVersion,
    )
    from sla.models import HolidayCalendar, Tier

    customer, _ = Customer.objects.get_or_create(name_en="Bench Customer Ltd.")
    contract, _ = Contract.objects.get_or_create(
        number="BENCH-0001",
        defaults={
            "customer": customer,
            "tier": Tier.objects.get(code="7x24"),
            "licence_type": LicenceType.SUBSCRIPTION,
            "starts_on": (now - timedelta(days=365)).date(),
            "ends_on": (now + timedelta(days=365)).date(),
            "calendar": HolidayCalendar.objects.get(code="CN"),
            "status": ContractStatus.ACTIVE,
        },
    )
    product, _ = Product.objects.get_or_create(
        code="bench-product", defaults={"name": "Bench Product", "commercially_supported": True}
    )
    contract.products.add(product)
    version, _ = ProductVersion.objects.get_or_create(
        product=product,
        name="5.0",
        defaults={
            "end_of_maintenance": (now + timedelta(days=365)).date(),
            "end_of_support": (now + timedelta(days=730)).date(),
        },
    )
    reporter = get_user_model().objects.filter(email="bench@example.test").first()
    if reporter is None:
        reporter = get_user_model().objects.create_user(
            "bench@example.test", None, customer=customer
        )
    return contract, product, version, reporter


def fill(*, open_clocks: int, history: int, now) -> None:
    """Empty the ticket tables and insert `open_clocks` running clocks (3 per open ticket) and
    `history` met clocks (3 per closed ticket)."""
    from sla.models import Metric
    from tickets.models import Clock, SlaState, Ticket, TicketStatus

    sql(f"TRUNCATE {Ticket._meta.db_table} CASCADE")
    contract, product, version, reporter = reference_rows(now)
    template = Ticket.objects.create(
        contract=contract,
        product=product,
        version=version,
        priority="P2",
        original_priority="P2",
        reporter=reporter,
        subject="Bench ticket",
        description="Generated by bench/breach_scan.py",
        status=TicketStatus.IN_PROGRESS,
        opened_at=now - timedelta(hours=1),
        sla_state="running",
    )
    template_clock = Clock.objects.create(
        ticket=template,
        metric=Metric.RESPONSE,
        state=SlaState.RUNNING,
        started_at=now - timedelta(hours=1),
        target_amount=2,
        target_unit="hours",
        due_at=now + timedelta(hours=1),
        at_risk_at=now + timedelta(minutes=30),
    )
    open_tickets = -(-open_clocks // 3)
    closed_tickets = -(-history // 3)
    ticket_cols, ticket_select = copy_select(
        Ticket,
        {
            "subject": "'Bench ticket ' || g",
            "status": f"CASE WHEN g > {open_tickets} THEN 'closed' ELSE t.status END",
            "opened_at": "t.opened_at - g * interval '1 second'",
        },
    )
    table = Ticket._meta.db_table
    sql(
        f"INSERT INTO {table} ({ticket_cols}) SELECT {ticket_select} "
        f"FROM {table} t CROSS JOIN generate_series(1, %s) g WHERE t.id = %s",
        [open_tickets + closed_tickets, template.pk],
    )
    clock_table = Clock._meta.db_table
    # Running clocks: due between 1 hour and 60 days from now, at risk at 75 % of the way.
    due = "%(now)s + interval '1 hour' + ((tk.rn * 3 + m.k) %% 5184000) * interval '1 second'"
    clock_cols, clock_select = copy_select(
        Clock,
        {
            "ticket_id": "tk.id",
            "metric": "m.metric",
            "due_at": due,
            "at_risk_at": f"t.started_at + ({due} - t.started_at) * 0.75",
        },
    )
    metrics = "(VALUES ('response', 0), ('restore', 1), ('fix', 2)) AS m(metric, k)"
    sql(
        f"INSERT INTO {clock_table} ({clock_cols}) SELECT {clock_select} "
        f"FROM {clock_table} t CROSS JOIN {metrics} CROSS JOIN ("
        f"  SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {table}"
        f"  WHERE id <> %(template)s AND status <> 'closed'"
        f") tk WHERE t.id = %(clock)s ORDER BY tk.id, m.k LIMIT %(count)s",
        {"now": now, "template": template.pk, "clock": template_clock.pk, "count": open_clocks},
    )
    if history:
        clock_cols, clock_select = copy_select(
            Clock,
            {
                "ticket_id": "tk.id",
                "metric": "m.metric",
                "state": "'met'",
                "due_at": "%(now)s - interval '1 day'",
                "at_risk_at": "%(now)s - interval '2 days'",
                "met_at": "%(now)s - interval '3 days'",
            },
        )
        sql(
            f"INSERT INTO {clock_table} ({clock_cols}) SELECT {clock_select} "
            f"FROM {clock_table} t CROSS JOIN {metrics} CROSS JOIN ("
            f"  SELECT id FROM {table} WHERE status = 'closed'"
            f") tk WHERE t.id = %(clock)s ORDER BY tk.id, m.k LIMIT %(count)s",
            {"now": now, "clock": template_clock.pk, "count": history},
        )
    template.delete()  # and its clock


def make_due(*, count: int, clusters: int, now) -> None:
    """`count` running clocks fall due within the last hour: `clusters` runs of consecutive
    clocks spread evenly over the table (clusters = count: every clock on its own)."""
    from django.db.models import Max, Min

    from tickets.models import Clock

    bounds = Clock.objects.aggregate(low=Min("pk"), high=Max("pk"))
    step = max(1, (bounds["high"] - bounds["low"] + 1) // clusters)
    table = Clock._meta.db_table
    sql(
        f"UPDATE {table} SET due_at = %(now)s - (id %% 3600 + 1) * interval '1 second', "
        f"at_risk_at = %(now)s - (id %% 3600 + 1) * interval '1 second' - interval '30 minutes' "
        f"WHERE id IN (SELECT id FROM {table} WHERE state = 'running' "
        f"AND (id - %(low)s) %% %(step)s < %(run)s ORDER BY id LIMIT %(count)s)",
        {
            "now": now,
            "count": count,
            "low": bounds["low"],
            "step": step,
            "run": -(-count // clusters),
        },
    )


def reset_flags() -> None:
    """Undo a tick: clocks running again, no alerts, no history, ticket summaries back."""
    from tickets.models import Clock, ClockAlert, Ticket, TicketEvent
    from tickets.notifications.models import Notification

    sql(
        f"TRUNCATE {Notification._meta.db_table}, {ClockAlert._meta.db_table}, "
        f"{TicketEvent._meta.db_table}"
    )
    sql(
        f"UPDATE {Clock._meta.db_table} SET state = 'running', breached_at = NULL, "
        "at_risk_flagged_at = NULL WHERE breached_at IS NOT NULL OR at_risk_flagged_at IS NOT NULL"
    )
    sql(f"UPDATE {Ticket._meta.db_table} SET sla_state = 'running' WHERE sla_state <> 'running'")
    vacuum()


def vacuum() -> None:
    from tickets.models import Clock, ClockAlert, Ticket, TicketEvent

    tables = [Clock, ClockAlert, Ticket, TicketEvent]
    sql("VACUUM ANALYZE " + ", ".join(m._meta.db_table for m in tables))


# --- measuring ---------------------------------------------------------------------------------


def measure(*, open_clocks: int, args, now) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.models import Clock
    from tickets.sla.sweep import clocks_due_for_breach, clocks_evaluate

    started = time.perf_counter()
    fill(open_clocks=open_clocks, history=args.history, now=now)
    make_due(count=args.due, clusters=args.clusters, now=now)
    vacuum()
    print(f"  filled {open_clocks:,} open clocks in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            f"WHERE relname IN ('{Clock._meta.db_table}', 'tickets_ticket') ORDER BY relname"
        )
        sizes = ", ".join(f"{name} {size}" for name, size in cursor.fetchall())
    print(f"  with indexes: {sizes}")

    scan = clocks_due_for_breach(now=now).values_list("pk", "ticket_id", "metric")[:5000]
    plan = scan.explain(analyze=True, buffers=True)
    times = []
    with mock.patch("tickets.notifications.events.drain_after_commit"):
        clocks_evaluate(now=now - timedelta(days=1))  # warm: nothing is due yet
        for _ in range(args.repeat):
            tick_started = time.perf_counter()
            result = clocks_evaluate(now=now)
            times.append((time.perf_counter() - tick_started) * 1000)
            assert result.breached == args.due, result
            reset_flags()
        with CaptureQueriesContext(connection) as captured:
            clocks_evaluate(now=now)
    statements = [
        f"    {float(q['time']) * 1000:7.1f} ms  {' '.join(q['sql'].split())[:110]}"
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    return {"times": times, "plan": plan, "statements": statements}


def main() -> int:
    args = parse_args()
    url = bench_url(args.database_url)
    ensure_database(url)
    setup_django(url)
    from django.utils import timezone

    now = timezone.now()
    print(f"breach_scan: one evaluation tick with {args.due:,} new breaches, PostgreSQL")
    # Timings on a busy machine say little: show how busy it was.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        print(f"PostgreSQL shared_buffers {cursor.fetchone()[0]}")
    print(f"due clocks in {args.clusters} run(s) of consecutive clocks")
    runs = {}
    for size in (args.open, SMALL):
        print(f"\n== {size:,} open clocks (+{args.history:,} met)")
        runs[size] = run = measure(open_clocks=size, args=args, now=now)
        ms = ", ".join(f"{t:.1f}" for t in run["times"])
        print(
            f"  tick: median {statistics.median(run['times']):.1f} ms, "
            f"best {min(run['times']):.1f} ms  (runs: {ms})"
        )
        if size == args.open:
            print("  EXPLAIN (ANALYZE, BUFFERS) of the breach scan:")
            print("\n".join(f"    {line}" for line in run["plan"].splitlines()))
            print(f"  the tick's statements ({len(run['statements'])}):")
            print("\n".join(run["statements"]))

    big = statistics.median(runs[args.open]["times"])
    small = statistics.median(runs[SMALL]["times"])
    ratio = big / small
    best_ratio = min(runs[args.open]["times"]) / min(runs[SMALL]["times"])
    print("\n== result (medians)")
    print(f"  tick with {args.open:,} open clocks: {big:.1f} ms")
    print(f"  tick with {SMALL:,} open clocks: {small:.1f} ms")
    print(f"  ratio: {ratio:.2f}  (of the best runs: {best_ratio:.2f})")
    tick_ok, ratio_ok = big < GOAL_TICK_MS, ratio < GOAL_RATIO
    print(
        f"  goal tick < {GOAL_TICK_MS:.0f} ms for {args.due:,} breaches: "
        f"{'met' if tick_ok else 'MISSED'}"
    )
    print(f"  goal ratio < {GOAL_RATIO:.0f}: {'met' if ratio_ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
