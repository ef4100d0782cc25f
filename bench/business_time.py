"""Benchmark SLA due times: sla.business_time against pandas' CustomBusinessHour.

    python bench/business_time.py [--n 20000] [--short] [--seed 2026]

A fixed, seeded mix of tickets: tier 5x8 or 7x24, priority P1-P4, each of its SPEC targets
(hours and days), opened uniformly at random over 2026 in Asia/Shanghai with the China holiday
calendar (holidays library). pandas is compared on what it can do, the 5x8 hour targets: it
knows weekdays and holidays but neither make-up working days (调休) nor DST. pandas is a
bench-only extra; without it only the engine figures are printed. Needs no Django.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
from sla.business_time import STANDARD_HOURS, Schedule

ZONE = ZoneInfo("Asia/Shanghai")
YEAR = 2026

# docs/spec.md "SLA targets": tier -> priority -> targets (amount, "h" or "d"), "none" left out
TARGETS = {
    "5x8": {
        "P1": [(2, "h"), (8, "h"), (50, "d")],
        "P2": [(4, "h"), (72, "h"), (100, "d")],
        "P3": [(24, "h"), (150, "d")],
        "P4": [(48, "h")],
    },
    "7x24": {
        "P1": [(1, "h"), (8, "h"), (15, "d")],
        "P2": [(2, "h"), (48, "h"), (30, "d")],
        "P3": [(24, "h"), (120, "h"), (60, "d")],
        "P4": [(48, "h")],
    },
}


def china_calendar() -> tuple[list[date], list[date]]:
    calendar = holidays.country_holidays("CN", years=YEAR)
    workdays = sorted(d for d in calendar.weekend_workdays if d.year == YEAR)
    return sorted(calendar), workdays


def schedules(holiday_dates, workdays) -> dict[str, Schedule]:
    return {
        "5x8": Schedule(
            ZONE,
            STANDARD_HOURS,
            holidays=holiday_dates,
            workdays=workdays,
        ),
        "7x24": Schedule(ZONE, holidays=holiday_dates, workdays=workdays),
    }


def tickets(n: int, seed: int) -> list[tuple[str, int, str, datetime]]:
    """(tier, amount, unit, opened) for n targets of random tickets."""
    rng = random.Random(seed)
    year_start = datetime(YEAR, 1, 1, tzinfo=ZONE)
    seconds = int((datetime(YEAR + 1, 1, 1, tzinfo=ZONE) - year_start).total_seconds())
    rows = []
    for _ in range(n):
        tier = rng.choice(("5x8", "7x24"))
        amount, unit = rng.choice(TARGETS[tier][rng.choice(("P1", "P2", "P3", "P4"))])
        opened = (year_start + timedelta(seconds=rng.randrange(seconds))).astimezone(ZONE)
        rows.append((tier, amount, unit, opened))
    return rows


def engine_calls(rows, by_tier: dict[str, Schedule]) -> list:
    calls = []
    for tier, amount, unit, opened in rows:
        schedule = by_tier[tier]
        if unit == "h":
            calls.append((schedule.add_service_time, opened, timedelta(hours=amount)))
        else:
            calls.append((schedule.add_working_days, opened, amount))
    return calls


def best_rate(run, count: int, repeats: int) -> tuple[float, list]:
    """Operations per second of the fastest of `repeats` runs, and the last run's results."""
    best = float("inf")
    results: list = []
    for _ in range(repeats):
        started = time.perf_counter()
        results = run()
        best = min(best, time.perf_counter() - started)
    return count / best, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="due times to compute")
    parser.add_argument("--short", action="store_true", help="2,000 due times, one run")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    n = 2_000 if args.short else args.n
    repeats = 1 if args.short else 3

    rows = tickets(n, args.seed)
    print(
        f"inputs: {n} due times (seed {args.seed}): tiers 5x8/7x24, P1-P4 SPEC targets in hours"
        f" and days, opened over {YEAR} in {ZONE.key}, CN calendar with make-up working days"
    )

    holiday_dates, workdays = china_calendar()
    started = time.perf_counter()
    warm = schedules(holiday_dates, workdays)
    for schedule in warm.values():
        schedule.add_service_time(rows[0][3], timedelta(hours=1))
    precompute_ms = (time.perf_counter() - started) * 1000 / len(warm)
    calls = engine_calls(rows, warm)
    started = time.perf_counter()
    for fn, at, arg in calls:  # the far day targets extend the tables into 2028 once
        fn(at, arg)
    extend_ms = (time.perf_counter() - started) * 1000
    print(
        f"precompute: {precompute_ms:.1f} ms per schedule for two years of dates on first use,"
        f" extended as needed (first pass over the mix, which extends them, not timed:"
        f" {extend_ms:.0f} ms)"
    )

    rate, _ = best_rate(lambda: [fn(at, arg) for fn, at, arg in calls], n, repeats)
    print(f"engine: {rate:,.0f} ops/s (whole mix)")

    subset = [row for row in rows if row[0] == "5x8" and row[2] == "h"]
    sub_calls = engine_calls(subset, warm)
    engine_rate, engine_results = best_rate(
        lambda: [fn(at, arg) for fn, at, arg in sub_calls], len(subset), repeats
    )
    print(f"engine, 5x8 hour targets: {engine_rate:,.0f} ops/s ({len(subset)} due times)")

    try:
        import pandas as pd
        from pandas.tseries.offsets import CustomBusinessHour
    except ImportError:
        print("pandas CustomBusinessHour: pandas is not installed (pip install pandas); skipped")
        return 0

    offsets = {
        amount: CustomBusinessHour(n=amount, start="09:00", end="18:00", holidays=holiday_dates)
        for amount in {row[1] for row in subset}
    }
    pandas_inputs = [(pd.Timestamp(row[3].replace(tzinfo=None)), offsets[row[1]]) for row in subset]
    pandas_rate, pandas_results = best_rate(
        lambda: [at + offset for at, offset in pandas_inputs], len(subset), repeats
    )
    ratio = engine_rate / pandas_rate
    print(f"pandas CustomBusinessHour: {pandas_rate:,.0f} ops/s (no make-up working days, no DST)")
    print(f"ratio: {ratio:.1f}x (goal >= 10x: {'met' if ratio >= 10 else 'NOT met'})")

    expected = [result.to_pydatetime() for result in pandas_results]
    differ = sum(
        ours.replace(tzinfo=None) != theirs
        for ours, theirs in zip(engine_results, expected, strict=True)
    )
    plain = engine_calls(subset, schedules(holiday_dates, ()))
    differ_plain = sum(
        fn(at, arg).replace(tzinfo=None) != theirs
        for (fn, at, arg), theirs in zip(plain, expected, strict=True)
    )
    print(
        f"differences from pandas: {differ} of {len(subset)} 5x8 due times, because of make-up"
        f" working days (without them the engine differs on {differ_plain})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
