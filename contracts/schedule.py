"""A contract's business-time schedule: its tier's or agreed hours, its time zone and its holiday
calendar, cached by exactly what defines it.

Building a Schedule reads the calendar's days and precomputes its tables (tens of
milliseconds); every later due time from a warm one costs microseconds. The cache key holds the
hours pattern, the zone, the calendar and the calendar's last change (`updated_at`, which every
change of its days moves on: the admin saves the calendar with its days, imports save it), so
an edited calendar, tier or contract simply gets a new entry."""

import threading
from collections import OrderedDict

from contracts.models import Contract
from sla.business_time import Schedule
from sla.services import build_schedule

CACHE_SIZE = 256

_cache: OrderedDict[tuple, Schedule] = OrderedDict()
_lock = threading.Lock()


def schedule_key(contract: Contract) -> tuple:
    """What defines the schedule of `contract`. An always-open tier without agreed hours ignores
    holidays, so its calendar is not part of the key."""
    pattern = contract.agreed_hours or contract.tier.hours
    calendar = contract.calendar if pattern else None
    return (
        pattern,
        contract.timezone,
        calendar.pk if calendar is not None else None,
        calendar.updated_at if calendar is not None else None,
    )


def contract_schedule(contract: Contract) -> Schedule:
    """The business-time schedule of a contract (raises SlaError on invalid hours or zone)."""
    key = schedule_key(contract)
    with _lock:
        schedule = _cache.get(key)
        if schedule is not None:
            _cache.move_to_end(key)
            return schedule
    schedule = build_schedule(
        tier=contract.tier,
        timezone=contract.timezone,
        calendar=contract.calendar if key[2] is not None else None,
        hours=contract.agreed_hours,
    )
    with _lock:
        _cache[key] = schedule
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return schedule


def schedule_cache_clear() -> None:
    """Forget every cached schedule (tests whose rolled-back rows reuse ids and times)."""
    with _lock:
        _cache.clear()
