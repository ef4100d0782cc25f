"""Benchmark one ticket_open: cold (the contract's schedule built on this call) and warm (the
schedule cached by what defines it, contracts.schedule).

    python bench/ticket_open.py [--short] [--repeat 200] [--database-url postgres://...]

A 5x8 contract in Asia/Shanghai on the CN holiday calendar (about 80 dated days) and a named
contact; each timed call is a whole `ticket_open` (entitlement, the ticket row, three clocks,
history, the SLA summary) in its own transaction. "cold" clears the schedule cache before each
call, which is what every call cost before the cache existed; "warm" is the steady state.
Prints the median and 95th percentile of each, and the ratio.

SQLite by default, in var/support_portal_bench_open.sqlite3 (rebuilt on every run); with
--database-url or
DATABASE_URL pointing at PostgreSQL, in the database `support_portal_bench_open` on that server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from benchdb import prepare_database, setup_django

BENCH_DATABASE = "support_portal_bench_open"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed calls of each kind")
    parser.add_argument("--short", action="store_true", help="30 calls of each kind")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if args.short:
        args.repeat = 30
    return args


def fill():
    from django.contrib.auth import get_user_model

    from contracts.models import Contract, ContractStatus, Customer, Product, SupportContact
    from sla.models import HolidayCalendar, Tier

    product = Product.objects.get(code="emqx-enterprise")
    customer = Customer.objects.create(name_en="Bench Ltd.")
    contract = Contract.objects.create(
        number="BENCH-OPEN",
        customer=customer,
        tier=Tier.objects.get(code="5x8"),
        licence_type="subscription",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        timezone="Asia/Shanghai",
        calendar=HolidayCalendar.objects.get(code="CN"),
        status=ContractStatus.ACTIVE,
    )
    contract.products.add(product)
    user = get_user_model().objects.create_user("bench@open.example", customer=customer)
    SupportContact.objects.create(contract=contract, user=user)
    version = product.versions.order_by("-released_on").first()
    return contract, product, version, user


def time_opens(*, repeat: int, cold: bool, contract, product, version, user, start) -> list[float]:
    from django.db import transaction

    from contracts.models import Contract
    from contracts.schedule import schedule_cache_clear
    from tickets.services import ticket_open

    samples = []
    for i in range(repeat):
        # What an edge hands the service: a contract read with its tier and calendar.
        fresh = Contract.objects.select_related("tier", "calendar", "customer").get(pk=contract.pk)
        if cold:
            schedule_cache_clear()
        started = time.perf_counter()
        with transaction.atomic():
            ticket_open(
                contract=fresh,
                product=product,
                version=version,
                priority="P2",
                subject=f"Bench {i}",
                description="Clients are disconnected.",
                reporter=user,
                unmodified_build=True,
                now=start + timedelta(minutes=i),
            )
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    args = parse_args()
    url = prepare_database(args.database_url, name=BENCH_DATABASE)
    setup_django(url, name=BENCH_DATABASE)
    from django.db import connection

    contract, product, version, user = fill()
    start = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    print(f"database: {connection.vendor} ({url})")
    common = {"contract": contract, "product": product, "version": version, "user": user}
    time_opens(repeat=5, cold=False, start=start, **common)  # warm-up: imports, first queries
    cold = time_opens(repeat=args.repeat, cold=True, start=start, **common)
    warm = time_opens(repeat=args.repeat, cold=False, start=start, **common)
    print(f"{args.repeat} calls of ticket_open each\n")
    print(f"{'':28}{'median':>10}{'p95':>10}")
    for label, samples in (("cold (schedule built)", cold), ("warm (schedule cached)", warm)):
        print(f"{label:28}{statistics.median(samples):>8.2f}ms{p95(samples):>8.2f}ms")
    ratio = statistics.median(cold) / statistics.median(warm)
    print(f"\ncold / warm (medians): {ratio:.1f}x")


if __name__ == "__main__":
    main()
