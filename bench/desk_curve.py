"""The staff desk's cost as the ticket table grows: every desk page of bench/pages.py at 10,000,
100,000 and 1,000,000 tickets, and the ratio largest / smallest.

    python bench/desk_curve.py [--short] [--sizes 10000,100000,1000000] [--repeat 30]
                               [--budget 60] [--database-url postgres://...]

One database, grown in place: bench/deskdata.py writes the people and 5,000 template tickets
through the ORM, then copies them with INSERT ... SELECT up to each size (1,000 tickets per
customer, so the number of customers and contracts grows with the table too), ANALYZE, and the
desk pages are timed as the desk user (pages.py's PAGES, group "desk"; the lists at 25 and 100
rows, filtered, searched, "my tickets", "unassigned", the ticket page, the alert outbox, the SLA
report...; fewer requests, 5 at least, once a page has spent `--budget` seconds). Prints each
size's figures as pages.py does, then a table of medians per size and the ratio largest /
smallest: the goal is a flat curve (a ratio near 1) from 10k to 1M tickets, and the SLA report
under 100 ms at 1M. A page that does not answer 200 stops the run (exit 2);
the goals are read, never asserted.

PostgreSQL is the database of the issue's curve: --database-url or DATABASE_URL
(postgres://...), in the database `<its name>_bench_curve` (dropped and rebuilt on every run);
SQLite (var/support_portal_bench_curve.sqlite3) when neither is set. `--short`: 10,000 and
100,000 tickets, 10 requests per page. The 1M fill takes a few minutes on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys

from benchdb import database_name, prepare_database, setup_django

PER_CUSTOMER = 1000
SLA_REPORT_GOAL_MS = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="ticket counts")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds of timed requests per page, at most"
    )
    parser.add_argument("--short", action="store_true", help="10k and 100k tickets only")
    parser.add_argument(
        "--pages", default="", help="only the desk pages whose name contains one of these (a,b)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL server to use (default: $DATABASE_URL; SQLite when empty)",
    )
    args = parser.parse_args()
    args.sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    if args.short:
        args.sizes, args.repeat = [s for s in args.sizes if s <= 100_000] or [10_000], 10
    return args


def main() -> int:
    args = parse_args()
    name = database_name(args.database_url, "bench_curve")
    url = prepare_database(args.database_url, name=name)
    setup_django(url, name=name)
    import deskdata
    import pages
    from django.db import connection

    print(f"database: {connection.vendor} ({url.rsplit('@', 1)[-1]})")
    if connection.vendor != "postgresql":
        print("(the issue's curve is on PostgreSQL: pass --database-url postgres://...)")
    desk_pages = [p for p in pages.PAGES if p.group == "desk"]
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        desk_pages = [p for p in desk_pages if any(w in p.name for w in wanted)]
    desk = deskdata.people(
        capacity=args.sizes[-1], customer_tickets=PER_CUSTOMER, per_customer=PER_CUSTOMER
    )
    deskdata.templates(desk, count=min(deskdata.TEMPLATE_TICKETS, args.sizes[0]))
    results: dict[int, dict[str, dict]] = {}
    for size in args.sizes:
        seconds = deskdata.extend(desk, size)
        if desk.busy is None:
            deskdata.thread(desk)
        deskdata.analyze()
        logged_in = pages.clients(desk)
        print(f"\n== {size:,} tickets (copied in {seconds:.1f} s); {args.repeat} timed requests "
              f"per page; {pages.load_line()}")  # fmt: skip
        print(pages.HEADER)
        results[size] = {}
        for page in desk_pages:
            try:
                m = pages.measure_page(page, desk, logged_in, args.repeat, args.budget)
            except pages.PageError as exc:
                print(f"\nFAILED: {exc}", file=sys.stderr)
                return 2
            results[size][page.name] = m
            print(pages.line(page.name, m), flush=True)

    first, last = args.sizes[0], args.sizes[-1]
    print(f"\nmedian (p95) per size, ms; ratio = median at {last:,} / median at {first:,}")
    print(f"{'page':40}" + "".join(f"{size:>17,}" for size in args.sizes) + f"{'ratio':>8}")
    for page in desk_pages:
        cells = "".join(
            f"{results[size][page.name]['median']:>8.1f} ({results[size][page.name]['p95']:>6.1f})"
            for size in args.sizes
        )
        ratio = results[last][page.name]["median"] / results[first][page.name]["median"]
        print(f"{page.name:40}{cells}{ratio:>7.1f}x")
    worst = max(
        desk_pages, key=lambda p: results[last][p.name]["median"] / results[first][p.name]["median"]
    )
    worst_ratio = results[last][worst.name]["median"] / results[first][worst.name]["median"]
    print(f"\n{pages.load_line()}")
    print(f"steepest: {worst.name}, {worst_ratio:.1f}x from {first:,} to {last:,} tickets "
          f"(goal: flat, no growth with the table)")  # fmt: skip
    report = results[last].get("SLA report")
    if report is not None:
        verdict = "met" if report["median"] < SLA_REPORT_GOAL_MS else "NOT met"
        print(f"SLA report at {last:,} tickets: {report['median']:.1f} ms median, "
              f"goal < {SLA_REPORT_GOAL_MS:.0f} ms: {verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
