"""Business-time arithmetic for SLA clocks: pure, no Django, no clock reads.

Every datetime taken is aware (a naive one is refused) and every datetime returned is aware, in
the schedule's zone. Service hours are local wall-clock intervals: a DST change never moves
09:00-18:00. A wall time is turned into an instant as the first instant whose wall time is at
or after it: a repeated wall time is its first occurrence when it starts an interval and its
second when it ends one (so the interval covers every instant whose wall time is inside it); a
wall time inside a DST gap is the transition instant.

Rules (docs/spec.md, "Tiers" and "SLA targets"):

* A working day is a date whose weekday has hours, minus `holidays`, plus `workdays` (official
  make-up working days). A make-up working day takes Monday's hours (or, if Monday has none,
  those of the first weekday that has), even on a weekday with hours of its own. A date in both
  lists is a holiday.
* A due time that lands exactly on the end of a service interval is the start of the next one
  (Mon 09:00 + 9 h = Tue 09:00), so N working days equal N x 9 service hours.
* Always open (``hours=None``, 7x24): every instant is service time, hours are elapsed time and
  N days end at the same local wall time N calendar days later; holidays are ignored.

Per schedule, service intervals (as UTC epoch microseconds), the cumulative service time before
each interval and the ordinals of the working days are precomputed lazily, a year either side
of the first date asked, then extended as needed; adding 450 service hours costs two bisections,
like adding 2. Compare the results as instants (e.g. in UTC): Python compares two datetimes of
one zone by wall clock, ignoring fold, and an ambiguous one never equals another zone's.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "STANDARD_HOURS",
    "HoursSyntaxError",
    "Schedule",
    "WeeklyHours",
    "format_hours",
    "parse_hours",
]

# weekday 0=Mon..6=Sun -> sorted, non-overlapping (start_minute, end_minute) wall-clock intervals
WeeklyHours = dict[int, tuple[tuple[int, int], ...]]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES = 1440
_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FAR = 1 << 62  # sentinel beyond any representable instant, in microseconds
# The first table of a schedule covers a month each side of the first instant asked about:
# what opening a ticket needs (a two-year table cost about 17 ms per cold schedule). A table
# grows by at least its own span, so covering n days costs O(n) however it is reached.
_BLOCK_DAYS = 31
_MIN_ORDINAL = date(1, 1, 8).toordinal()
_MAX_ORDINAL = date(9999, 12, 24).toordinal()


class HoursSyntaxError(ValueError):
    """Service-hours text that parse_hours cannot read; the message is one readable line."""


# ---------------------------------------------------------------------------------------------
# Weekly hours text


_ITEM = re.compile(
    r"(?P<d1>[a-z]+)(?:\s*-\s*(?P<d2>[a-z]+))?\s*"
    r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})"
)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_day(name: str, item: str) -> int:
    try:
        return DAY_NAMES.index(name)
    except ValueError:
        raise HoursSyntaxError(
            f"{item!r}: unknown day {name!r}; use {', '.join(DAY_NAMES)}"
        ) from None


def _parse_minute(hour: str, minute: str, item: str) -> int:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise HoursSyntaxError(f"{item!r}: {hour}:{minute} is not a time between 00:00 and 24:00")
    return h * 60 + m


def parse_hours(text: str) -> WeeklyHours:
    """Read weekly service hours such as ``"mon-fri 09:00-12:00,mon-fri 13:30-18:00"``.

    Comma-separated items ``DAYS HH:MM-HH:MM``, DAYS a day (mon..sun) or a range that does not
    wrap past Sunday; 24:00 only as an end. Case and whitespace do not matter. Touching intervals
    of a day are merged; days without hours are left out of the result.
    """
    if not isinstance(text, str):
        raise TypeError(f"service hours must be text, not {type(text).__name__}")
    if not text.strip():
        raise HoursSyntaxError("service hours are empty; write e.g. 'mon-fri 09:00-18:00'")
    per_day: dict[int, list[tuple[int, int]]] = {}
    for raw in text.split(","):
        item = " ".join(raw.split()).lower()
        if not item:
            raise HoursSyntaxError(f"{text.strip()!r}: empty item between commas")
        match = _ITEM.fullmatch(item)
        if match is None:
            raise HoursSyntaxError(
                f"{item!r}: expected DAYS HH:MM-HH:MM, e.g. 'mon-fri 09:00-18:00'"
            )
        first = _parse_day(match["d1"], item)
        last = _parse_day(match["d2"], item) if match["d2"] else first
        if last < first:
            raise HoursSyntaxError(
                f"{item!r}: the day range wraps past sunday; split it, e.g. 'fri-sun ..,mon ..'"
            )
        start = _parse_minute(match["h1"], match["m1"], item)
        end = _parse_minute(match["h2"], match["m2"], item)
        if start >= end:
            raise HoursSyntaxError(f"{item!r}: the interval is empty or ends before it starts")
        for day in range(first, last + 1):
            per_day.setdefault(day, []).append((start, end))
    try:
        return _canonical(per_day)
    except ValueError as exc:
        raise HoursSyntaxError(str(exc)) from None


def _canonical(hours: Mapping[int, Iterable[tuple[int, int]]]) -> WeeklyHours:
    """Check weekly hours and return them sorted, with touching intervals merged, closed days
    left out. Raises ValueError on anything else."""
    result: WeeklyHours = {}
    for day in sorted(hours):
        if type(day) is not int or not 0 <= day <= 6:
            raise ValueError(f"weekday {day!r} is not an int from 0 (mon) to 6 (sun)")
        merged: list[tuple[int, int]] = []
        for interval in sorted(hours[day]):
            start, end = interval
            if not (type(start) is int and type(end) is int and 0 <= start < end <= _DAY_MINUTES):
                raise ValueError(f"{DAY_NAMES[day]}: {interval!r} is not 0 <= start < end <= 1440")
            if merged and start < merged[-1][1]:
                prev = merged[-1]
                raise ValueError(
                    f"{DAY_NAMES[day]}: {_hhmm(start)}-{_hhmm(end)} overlaps "
                    f"{_hhmm(prev[0])}-{_hhmm(prev[1])}"
                )
            if merged and start == merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        if merged:
            result[day] = tuple(merged)
    return result


def format_hours(hours: WeeklyHours) -> str:
    """Canonical text of weekly hours, read back by parse_hours; consecutive days with the same
    intervals become a range: ``"mon-fri 09:00-12:00,mon-fri 13:30-18:00,sat 09:00-12:00"``."""
    norm = _canonical(hours)
    if not norm:
        raise ValueError("no service hours to format (always open is hours=None)")
    items: list[str] = []
    day = 0
    while day < 7:
        intervals = norm.get(day)
        if not intervals:
            day += 1
            continue
        last = day
        while last < 6 and norm.get(last + 1) == intervals:
            last += 1
        days = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}-{DAY_NAMES[last]}"
        items.extend(f"{days} {_hhmm(start)}-{_hhmm(end)}" for start, end in intervals)
        day = last + 1
    return ",".join(items)


STANDARD_HOURS: WeeklyHours = parse_hours("mon-fri 09:00-18:00")


# ---------------------------------------------------------------------------------------------
# Schedule


def _us(value: datetime, name: str) -> int:
    """Epoch microseconds of an aware datetime; refuses naive ones."""
    try:
        if value.tzinfo is not None:
            return (value - _EPOCH) // _US
    except AttributeError:
        raise TypeError(f"{name} must be an aware datetime, not {type(value).__name__}") from None
    except TypeError:  # a tzinfo whose utcoffset() is None: naive after all
        pass
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be an aware datetime, not {type(value).__name__}")
    raise ValueError(f"{name} is a naive datetime ({value.isoformat()}); pass an aware one")


def _plain_date(value: date, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")
    return value


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str):
        raise TypeError(f"time zone must be a name or a ZoneInfo, not {type(tz).__name__}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


def _at_minute(day: date, minute: int) -> datetime:
    """The naive wall time `minute` minutes after the start of `day` (1440: the next day)."""
    return datetime.combine(day, time()) + timedelta(minutes=minute)


class _Table:
    """Precomputed service time of the local dates [first, end) (ordinals), in epoch
    microseconds. midnights[i]: the start of date first + i (one more entry than dates).
    Interval k is [starts[k], ends[k]), cum[k] the service time before it; index n holds a
    sentinel so that bisect never runs off the end. workdays: ordinals of the working days.
    Instants in [lo_us, hi_us) are at least two dates away from the edges."""

    __slots__ = ("cum", "end", "ends", "first", "hi_us", "lo_us", "midnights", "n", "starts")
    __slots__ += ("workdays",)

    def __init__(self, first: int, end: int, days: dict[int, tuple]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        cum: list[int] = []
        workdays: list[int] = []
        total = 0
        prev_end = -_FAR
        for ordinal in range(first, end):
            intervals = days[ordinal][1]
            if intervals:
                workdays.append(ordinal)
            for wall_start, stop in intervals:
                start = max(wall_start, prev_end)  # only a pathological zone makes days overlap
                if stop > start:  # an interval inside a DST gap is empty
                    starts.append(start)
                    ends.append(stop)
                    cum.append(total)
                    total += stop - start
                    prev_end = stop
        self.n = len(starts)
        starts.append(_FAR)
        ends.append(_FAR)
        cum.append(total)
        self.first, self.end = first, end
        self.starts, self.ends, self.cum, self.workdays = starts, ends, cum, workdays
        self.midnights = [days[ordinal][0] for ordinal in range(first, end + 1)]
        self.lo_us, self.hi_us = self.midnights[2], self.midnights[-3]


class Schedule:
    """Service hours in a time zone with a holiday calendar; ``hours=None`` is always open.

    Always open, ``next_service_interval(at)`` is ``(at, at + 24 h elapsed)``: the end is a
    horizon, not a closing time. A Schedule is safe to share between threads.
    """

    def __init__(
        self,
        tz: str | ZoneInfo,
        hours: WeeklyHours | None = None,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
    ) -> None:
        self.tz: ZoneInfo = _zone(tz)
        self.always_open: bool = hours is None
        self.hours: WeeklyHours | None = None if hours is None else _canonical(hours)
        self.holidays = frozenset(_plain_date(d, "a holiday") for d in holidays)
        self.workdays = frozenset(_plain_date(d, "a make-up working day") for d in workdays)
        if self.hours is None:
            self._makeup: tuple[tuple[int, int], ...] = ((0, _DAY_MINUTES),)
        elif not self.hours:
            raise ValueError("hours has no service interval; pass hours=None for always open")
        else:
            self._makeup = self.hours.get(0) or self.hours[min(self.hours)]
        # ordinal -> (midnight instant, service intervals as instants)
        self._days: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {}
        self._table: _Table | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        hours = "always open" if self.hours is None else format_hours(self.hours)
        return f"<Schedule {self.tz.key} {hours}>"

    # -- days ------------------------------------------------------------------------------

    def _minutes_on(self, day: date) -> tuple[tuple[int, int], ...]:
        if self.hours is None:
            return self._makeup
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self._makeup
        return self.hours.get(day.weekday(), ())

    def is_working_day(self, day: date) -> bool:
        """Whether `day` has service hours (every day when always open)."""
        return bool(self._minutes_on(_plain_date(day, "day")))

    def intervals_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """Local wall-clock service intervals of `day`; an end of 24:00 is ``time.max``."""
        return tuple(
            (
                time(start // 60, start % 60),
                time.max if end == _DAY_MINUTES else time(end // 60, end % 60),
            )
            for start, end in self._minutes_on(_plain_date(day, "day"))
        )

    # -- conversions -----------------------------------------------------------------------

    def _from_us(self, us: int) -> datetime:
        seconds, micro = divmod(us, 1_000_000)
        if micro:
            return (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz)
        return datetime.fromtimestamp(seconds, self.tz)

    def _wall_to_us(self, wall: datetime, *, end: bool) -> int:
        """The first instant whose local wall time is >= the naive `wall`; a repeated wall time
        is its second occurrence if `end`, else its first."""
        u0 = (wall.replace(tzinfo=self.tz, fold=0) - _EPOCH) // _US
        u1 = (wall.replace(tzinfo=self.tz, fold=1) - _EPOCH) // _US
        if u0 == u1:
            return u0
        if u0 < u1:
            return u1 if end else u0
        # In a gap, fold=1 reads the wall time with the later offset: an instant before the
        # transition; fold=0 one after it. Bisect for the transition (rare: precompute only).
        lo, hi = u1, u0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._from_us(mid).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi

    # -- precomputed tables ----------------------------------------------------------------

    def _build(self, first: int, end: int) -> _Table:
        days = self._days
        for ordinal in range(first, end + 1):
            if ordinal not in days:
                day = date.fromordinal(ordinal)
                days[ordinal] = (
                    self._wall_to_us(_at_minute(day, 0), end=False),
                    tuple(
                        (
                            self._wall_to_us(_at_minute(day, start), end=False),
                            self._wall_to_us(_at_minute(day, stop), end=True),
                        )
                        for start, stop in self._minutes_on(day)
                    ),
                )
        table = _Table(first, end, days)
        self._table = table  # one assignment: a reader without the lock sees old or new, whole
        return table

    def _covering(self, t: int) -> _Table:
        """A table in which instant t is at least two dates away from the edges."""
        table = self._table
        if table is not None and table.lo_us <= t < table.hi_us:
            return table
        with self._lock:
            while True:
                table = self._table
                if table is not None and table.lo_us <= t < table.hi_us:
                    return table
                ordinal = self._from_us(t).toordinal()
                if table is None:
                    first, end = ordinal - _BLOCK_DAYS, ordinal + _BLOCK_DAYS
                else:
                    step = max(_BLOCK_DAYS, table.end - table.first)
                    if t < table.lo_us:
                        first, end = min(table.first, ordinal) - step, table.end
                    else:
                        first, end = table.first, max(table.end, ordinal) + step
                first, end = max(first, _MIN_ORDINAL), min(end, _MAX_ORDINAL)
                if table is not None and (first, end) == (table.first, table.end):
                    raise OverflowError("instant outside the dates a schedule can compute")
                self._build(first, end)

    def _grow_forward(self, table: _Table) -> _Table:
        """A table covering more dates after `table` (at least doubling its span)."""
        with self._lock:
            current = self._table
            assert current is not None
            if current.end > table.end:
                return current
            if current.end >= _MAX_ORDINAL:
                raise OverflowError("due time beyond the dates a schedule can compute")
            span = current.end - current.first
            return self._build(current.first, min(current.end + span, _MAX_ORDINAL))

    def _next_interval(self, t: int) -> tuple[_Table, int]:
        """A table and the index in it of the first service interval that ends after t."""
        table = self._covering(t)
        k = bisect_right(table.ends, t)
        while k == table.n:
            table = self._grow_forward(table)
            k = bisect_right(table.ends, t)
        return table, k

    # -- instants --------------------------------------------------------------------------

    def is_service_time(self, at: datetime) -> bool:
        """Whether the instant `at` is service time (interval start included, end excluded)."""
        t = _us(at, "at")
        if self.hours is None:
            return True
        table = self._covering(t)
        return table.starts[bisect_right(table.ends, t)] <= t

    def clock_start(self, at: datetime) -> datetime:
        """The first service instant at or after `at`."""
        t = _us(at, "at")
        if self.hours is not None:
            table, k = self._next_interval(t)
            if table.starts[k] > t:
                return self._from_us(table.starts[k])
        return at.astimezone(self.tz)

    def next_service_interval(self, at: datetime) -> tuple[datetime, datetime]:
        """The service interval containing `at`, or else the next one, as (start, end)."""
        t = _us(at, "at")
        if self.hours is None:
            return at.astimezone(self.tz), self._from_us(t + _DAY_US)
        table, k = self._next_interval(t)
        return self._from_us(table.starts[k]), self._from_us(table.ends[k])

    def add_service_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of service time has elapsed from `start`'s clock
        start. One that lands on the end of an interval is the start of the next one."""
        t = _us(start, "start")
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
        amount = duration // _US
        if amount < 0:
            raise ValueError(f"duration must not be negative, got {duration}")
        if self.hours is None:
            return self._from_us(t + amount)
        table = self._table
        if table is None or not table.lo_us <= t < table.hi_us:
            table = self._covering(t)
        while True:
            k = bisect_right(table.ends, t)
            begin = table.starts[k]
            target = table.cum[k] + (t - begin if t > begin else 0) + amount
            if target < table.cum[table.n]:
                break
            table = self._grow_forward(table)
        # cum is strictly increasing, so a target on an interval's end goes to the next one
        k = bisect_right(table.cum, target) - 1
        return self._from_us(table.starts[k] + target - table.cum[k])

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local wall time `days` working days after the clock start's date, or the
        next service instant after it; always open, `days` calendar days later."""
        t = _us(start, "start")
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, not {type(days).__name__}")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        table, k = self._next_interval(t)
        begin = max(t, table.starts[k])
        if days == 0:
            return start.astimezone(self.tz) if begin == t else self._from_us(begin)
        while True:
            table = self._covering(begin)
            midnights, workdays = table.midnights, table.workdays
            i = bisect_right(midnights, begin) - 1  # begin's local date is first + i
            index = bisect_right(workdays, table.first + i) + days - 1
            if index < len(workdays):
                break
            self._grow_forward(table)
        target = workdays[index]
        j = target - table.first
        if midnights[i + 1] - midnights[i] == _DAY_US == midnights[j + 1] - midnights[j]:
            # no DST change on either date: the wall time is the time since midnight
            t = midnights[j] + begin - midnights[i]
        else:
            wall = datetime.combine(date.fromordinal(target), self._from_us(begin).time())
            t = self._wall_to_us(wall, end=False)
        table, k = self._next_interval(t)
        return self._from_us(max(t, table.starts[k]))

    def service_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Service time in [start, end); zero if end <= start."""
        a = _us(start, "start")
        b = _us(end, "end")
        if b <= a:
            return timedelta(0)
        if self.hours is None:
            return timedelta(microseconds=b - a)
        self._covering(a)
        table = self._covering(b)  # tables only grow: this one still covers a
        starts, ends, cum = table.starts, table.ends, table.cum
        ka, kb = bisect_right(ends, a), bisect_right(ends, b)
        service = cum[kb] - cum[ka] + max(0, b - starts[kb]) - max(0, a - starts[ka])
        return timedelta(microseconds=service)
