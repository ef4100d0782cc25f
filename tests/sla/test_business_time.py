"""Business-time arithmetic (sla.business_time): pure, no Django."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from sla.business_time import STANDARD_HOURS, HoursSyntaxError, Schedule, format_hours, parse_hours

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
LUNCH = "mon-fri 09:00-12:00,mon-fri 13:30-18:00"


def china_calendar(year: int = 2026) -> tuple[list[date], list[date]]:
    """Public holidays and official make-up working days (调休) from the holidays library."""
    calendar = holidays.country_holidays("CN", years=year)
    makeup = sorted(d for d in calendar.weekend_workdays if d.year == year)
    return sorted(calendar), makeup


CN_HOLIDAYS, CN_WORKDAYS = china_calendar()
CN_5X8 = Schedule("Asia/Shanghai", STANDARD_HOURS, holidays=CN_HOLIDAYS, workdays=CN_WORKDAYS)
CN_7X24 = Schedule("Asia/Shanghai", holidays=CN_HOLIDAYS, workdays=CN_WORKDAYS)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def be(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


def ny(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK, fold=fold)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- calendar ---------------------------------------------------------------------------------


def test_china_2026_makeup_days_are_the_official_weekends():
    assert CN_WORKDAYS == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert [d.weekday() for d in CN_WORKDAYS] == [6, 5, 5, 5, 6, 5]
    assert all(CN_5X8.is_working_day(d) for d in CN_WORKDAYS)


def test_china_2026_spring_festival_weekdays_are_not_working_days():
    for day in [*(date(2026, 2, d) for d in range(16, 21)), date(2026, 2, 23)]:
        assert not CN_5X8.is_working_day(day)
    assert CN_5X8.is_working_day(date(2026, 2, 13))
    assert CN_5X8.is_working_day(date(2026, 2, 24))


def test_weekends_are_not_working_days_and_weekdays_are():
    assert not CN_5X8.is_working_day(date(2026, 11, 28))
    assert not CN_5X8.is_working_day(date(2026, 11, 29))
    assert CN_5X8.is_working_day(date(2026, 11, 30))


def test_holiday_wins_over_makeup_day_listed_for_the_same_date():
    day = date(2026, 3, 7)  # a Saturday
    schedule = Schedule("UTC", STANDARD_HOURS, holidays=[day], workdays=[day])
    assert not schedule.is_working_day(day)


def test_makeup_day_takes_mondays_hours():
    weekly = parse_hours("mon 08:00-17:00,tue-fri 10:00-16:00")
    schedule = Schedule("Asia/Shanghai", weekly, workdays=[date(2026, 2, 14)])
    assert schedule.intervals_on(date(2026, 2, 14)) == ((time(8), time(17)),)
    assert schedule.add_service_time(sh(2026, 2, 13, 15), 2 * H) == sh(2026, 2, 14, 9)


def test_makeup_day_takes_first_open_weekday_when_monday_is_closed():
    schedule = Schedule("UTC", parse_hours("tue-fri 10:00-16:00"), workdays=[date(2026, 3, 7)])
    assert schedule.intervals_on(date(2026, 3, 7)) == ((time(10), time(16)),)


def test_intervals_on_lists_local_wall_clock_intervals():
    lunch = Schedule("Asia/Shanghai", parse_hours(LUNCH))
    assert lunch.intervals_on(date(2026, 11, 30)) == (
        (time(9), time(12)),
        (time(13, 30), time(18)),
    )
    assert lunch.intervals_on(date(2026, 11, 28)) == ()
    assert CN_5X8.intervals_on(date(2026, 10, 1)) == ()
    assert CN_7X24.intervals_on(date(2026, 10, 1)) == ((time(0), time.max),)


def test_always_open_ignores_holidays():
    assert CN_7X24.always_open
    assert not CN_5X8.always_open
    assert CN_7X24.is_working_day(date(2026, 10, 1))
    assert CN_7X24.is_service_time(sh(2026, 10, 1, 3))


# --- SPEC worked examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened", "hours", "due"),
    [
        (sh(2026, 11, 27, 17, 30), 2, "2026-11-30T10:30:00+08:00"),
        (sh(2026, 11, 27, 17, 30), 8, "2026-11-30T16:30:00+08:00"),
        (sh(2026, 11, 27, 19, 0), 2, "2026-11-30T11:00:00+08:00"),
        (sh(2026, 11, 27, 19, 0), 8, "2026-11-30T17:00:00+08:00"),
        (sh(2026, 2, 13, 16, 0), 4, "2026-02-14T11:00:00+08:00"),
    ],
)
def test_spec_worked_examples(opened, hours, due):
    assert CN_5X8.add_service_time(opened, hours * H).isoformat() == due


def test_spec_example_given_in_utc_comes_back_in_contract_zone():
    opened = sh(2026, 11, 27, 17, 30).astimezone(UTC)
    assert CN_5X8.add_service_time(opened, 2 * H).isoformat() == "2026-11-30T10:30:00+08:00"


# --- boundaries -------------------------------------------------------------------------------


def test_nine_oclock_is_service_time():
    assert CN_5X8.is_service_time(sh(2026, 11, 30, 9))
    assert CN_5X8.clock_start(sh(2026, 11, 30, 9)) == sh(2026, 11, 30, 9)


def test_one_second_before_six_is_service_time():
    assert CN_5X8.is_service_time(sh(2026, 11, 30, 17, 59, 59))
    assert CN_5X8.clock_start(sh(2026, 11, 30, 17, 59, 59)) == sh(2026, 11, 30, 17, 59, 59)


def test_six_oclock_is_closed_and_clock_starts_next_working_day():
    assert not CN_5X8.is_service_time(sh(2026, 11, 30, 18))
    assert CN_5X8.clock_start(sh(2026, 11, 30, 18)) == sh(2026, 12, 1, 9)
    assert CN_5X8.clock_start(sh(2026, 11, 27, 18)) == sh(2026, 11, 30, 9)


def test_clock_start_before_opening_and_on_holiday():
    assert CN_5X8.clock_start(sh(2026, 11, 30, 8, 59, 59)) == sh(2026, 11, 30, 9)
    assert CN_5X8.clock_start(sh(2026, 9, 30, 18, 30)) == sh(2026, 10, 8, 9)


def test_clock_start_keeps_microseconds():
    at = datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=SHANGHAI)
    assert CN_5X8.clock_start(at) == at
    assert CN_5X8.add_service_time(at, timedelta(microseconds=1)).microsecond == 123457


def test_due_on_interval_end_is_next_interval_start():
    assert CN_5X8.add_service_time(sh(2026, 11, 30, 9), 9 * H) == sh(2026, 12, 1, 9)
    assert CN_5X8.add_service_time(sh(2026, 11, 27, 17), H) == sh(2026, 11, 30, 9)


def test_zero_duration_is_clock_start():
    assert CN_5X8.add_service_time(sh(2026, 11, 28, 12), timedelta(0)) == sh(2026, 11, 30, 9)
    assert CN_5X8.add_service_time(sh(2026, 11, 30, 12), timedelta(0)) == sh(2026, 11, 30, 12)


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative"):
        CN_5X8.add_service_time(sh(2026, 11, 30, 9), -H)


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CN_5X8.add_working_days(sh(2026, 11, 30, 9), -1)


def test_fifty_working_days_equal_450_service_hours():
    start = sh(2026, 3, 2, 11, 15)
    assert CN_5X8.add_working_days(start, 50) == CN_5X8.add_service_time(start, 450 * H)
    assert CN_5X8.service_time_between(start, CN_5X8.add_working_days(start, 50)) == 450 * H


def test_working_days_skip_spring_festival_and_use_makeup_days():
    # Fri 13 Feb -> Sat 14 (make-up) -> Mon 16..Fri 20 and Mon 23 off -> Tue 24 Feb
    assert CN_5X8.add_working_days(sh(2026, 2, 13, 10), 1) == sh(2026, 2, 14, 10)
    assert CN_5X8.add_working_days(sh(2026, 2, 13, 10), 2) == sh(2026, 2, 24, 10)


def test_working_days_count_from_clock_start():
    # opened after hours on Friday: the clock starts Monday 09:00
    assert CN_5X8.add_working_days(sh(2026, 11, 27, 19), 1) == sh(2026, 12, 1, 9)
    assert CN_5X8.add_working_days(sh(2026, 11, 27, 19), 0) == sh(2026, 11, 30, 9)


def test_always_open_days_keep_local_time():
    assert CN_7X24.add_working_days(sh(2026, 9, 28, 22, 15), 15) == sh(2026, 10, 13, 22, 15)


def test_always_open_hours_are_elapsed_over_holidays():
    assert CN_7X24.add_service_time(sh(2026, 10, 1, 23), 2 * H) == sh(2026, 10, 2, 1)


def test_lunch_break_due_landing_at_noon_is_half_past_one():
    lunch = Schedule("Asia/Shanghai", parse_hours(LUNCH), holidays=CN_HOLIDAYS)
    assert lunch.add_service_time(sh(2026, 11, 30, 10), 2 * H) == sh(2026, 11, 30, 13, 30)
    assert lunch.add_service_time(sh(2026, 11, 30, 11), 2 * H) == sh(2026, 11, 30, 14, 30)
    assert not lunch.is_service_time(sh(2026, 11, 30, 12))
    assert lunch.clock_start(sh(2026, 11, 30, 12, 45)) == sh(2026, 11, 30, 13, 30)
    assert lunch.next_service_interval(sh(2026, 11, 30, 12)) == (
        sh(2026, 11, 30, 13, 30),
        sh(2026, 11, 30, 18),
    )


def test_lunch_break_working_day_lands_in_break_moves_to_afternoon():
    lunch = Schedule("Asia/Shanghai", parse_hours(LUNCH))
    # Saturday 12:30 opens Monday 09:00; a weekday 12:30 start moves to 13:30 first
    assert lunch.add_working_days(sh(2026, 11, 30, 12, 30), 1) == sh(2026, 12, 1, 13, 30)


def test_agreed_hours_with_saturday_count_saturday():
    weekly = parse_hours("mon-fri 09:00-18:00,sat 09:00-13:00")
    schedule = Schedule("Asia/Shanghai", weekly)
    assert schedule.add_service_time(sh(2026, 11, 27, 17), 3 * H) == sh(2026, 11, 28, 11)
    assert schedule.add_service_time(sh(2026, 11, 28, 12), 2 * H) == sh(2026, 11, 30, 10)
    # the working-day wall time 16:00 is past Saturday's hours: next service instant
    assert schedule.add_working_days(sh(2026, 11, 27, 16), 1) == sh(2026, 11, 30, 9)


def test_next_service_interval():
    assert CN_5X8.next_service_interval(sh(2026, 11, 30, 10)) == (
        sh(2026, 11, 30, 9),
        sh(2026, 11, 30, 18),
    )
    assert CN_5X8.next_service_interval(sh(2026, 11, 27, 18)) == (
        sh(2026, 11, 30, 9),
        sh(2026, 11, 30, 18),
    )


def test_always_open_next_service_interval_is_a_day_from_now():
    assert CN_7X24.next_service_interval(sh(2026, 11, 30, 10)) == (
        sh(2026, 11, 30, 10),
        sh(2026, 12, 1, 10),
    )


def test_service_time_between():
    assert CN_5X8.service_time_between(sh(2026, 11, 27, 17, 30), sh(2026, 11, 30, 10)) == 1.5 * H
    assert CN_5X8.service_time_between(sh(2026, 11, 30, 10), sh(2026, 11, 27, 17)) == timedelta(0)
    assert CN_7X24.service_time_between(sh(2026, 11, 27), sh(2026, 11, 30)) == 72 * H


def test_long_durations_and_far_dates_extend_the_tables():
    schedule = Schedule("Asia/Shanghai", STANDARD_HOURS)
    start = sh(2026, 6, 1, 9)
    due = schedule.add_service_time(start, 9 * 600 * H)  # 600 working days: past the first block
    assert due == schedule.add_working_days(start, 600)
    assert schedule.service_time_between(start, due) == 9 * 600 * H
    assert schedule.clock_start(sh(2031, 1, 1, 12)) == sh(2031, 1, 1, 12)
    assert schedule.clock_start(sh(2019, 12, 31, 18)) == sh(2020, 1, 1, 9)
    assert schedule.service_time_between(sh(2019, 12, 30, 9), sh(2031, 1, 1)) > 20_000 * H


def test_results_are_in_schedule_zone():
    due = CN_5X8.add_service_time(utc(2026, 11, 30, 1), H)
    assert due.tzinfo is SHANGHAI
    assert CN_5X8.add_working_days(utc(2026, 11, 30, 1), 1).tzinfo is SHANGHAI
    assert CN_5X8.clock_start(utc(2026, 11, 30, 1)).tzinfo is SHANGHAI
    assert CN_7X24.add_service_time(utc(2026, 11, 30, 1), H).tzinfo is SHANGHAI


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s, at: s.clock_start(at),
        lambda s, at: s.is_service_time(at),
        lambda s, at: s.add_service_time(at, H),
        lambda s, at: s.add_working_days(at, 1),
        lambda s, at: s.service_time_between(at, at),
        lambda s, at: s.next_service_interval(at),
    ],
)
@pytest.mark.parametrize("schedule", [CN_5X8, CN_7X24])
def test_naive_datetime_is_refused(schedule, call):
    with pytest.raises(ValueError, match="naive"):
        call(schedule, datetime(2026, 11, 30, 10))


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "Asia/Shanghai "])
def test_unknown_zone_is_refused(name):
    with pytest.raises(ValueError, match="unknown time zone"):
        Schedule(name, STANDARD_HOURS)


def test_zone_can_be_given_as_zoneinfo():
    assert Schedule(BERLIN).tz is BERLIN
    assert Schedule("Europe/Berlin").tz == BERLIN


def test_hours_without_any_interval_are_refused():
    with pytest.raises(ValueError, match="always open"):
        Schedule("UTC", {})


@pytest.mark.parametrize(
    "hours",
    [
        {7: ((540, 1080),)},
        {0: ((540, 1441),)},
        {0: ((600, 540),)},
        {0: ((540, 720), (700, 1080))},
    ],
)
def test_invalid_weekly_hours_are_refused(hours):
    with pytest.raises(ValueError):
        Schedule("UTC", hours)


def test_datetime_as_holiday_is_refused():
    with pytest.raises(TypeError):
        Schedule("UTC", STANDARD_HOURS, holidays=[utc(2026, 1, 1)])


# --- DST --------------------------------------------------------------------------------------


def test_berlin_5x8_across_spring_forward_keeps_wall_clock_hours():
    schedule = Schedule("Europe/Berlin", STANDARD_HOURS)
    due = schedule.add_service_time(be(2026, 3, 27, 17), 2 * H)
    assert due.isoformat() == "2026-03-30T10:00:00+02:00"
    assert schedule.service_time_between(be(2026, 3, 27, 17), due) == 2 * H
    assert schedule.add_working_days(be(2026, 3, 27, 17), 1).isoformat() == (
        "2026-03-30T17:00:00+02:00"
    )


def test_berlin_5x8_across_fall_back_keeps_wall_clock_hours():
    schedule = Schedule("Europe/Berlin", STANDARD_HOURS)
    due = schedule.add_service_time(be(2026, 10, 23, 17), 2 * H)
    assert due.isoformat() == "2026-10-26T10:00:00+01:00"


def test_new_york_5x8_across_both_changes():
    schedule = Schedule("America/New_York", STANDARD_HOURS)
    assert schedule.add_service_time(ny(2026, 3, 6, 17), 2 * H).isoformat() == (
        "2026-03-09T10:00:00-04:00"
    )
    assert schedule.add_service_time(ny(2026, 10, 30, 17), 2 * H).isoformat() == (
        "2026-11-02T10:00:00-05:00"
    )
    assert schedule.add_working_days(ny(2026, 3, 6, 9), 5) == ny(2026, 3, 13, 9)


def test_berlin_7x24_hours_are_elapsed_across_spring_forward():
    schedule = Schedule("Europe/Berlin")
    due = schedule.add_service_time(be(2026, 3, 29, 1, 30), H)
    assert due.isoformat() == "2026-03-29T03:30:00+02:00"
    assert due.astimezone(UTC) == utc(2026, 3, 29, 1, 30)


def test_berlin_7x24_hours_are_elapsed_across_fall_back():
    schedule = Schedule("Europe/Berlin")
    first = schedule.add_service_time(be(2026, 10, 25, 1, 30), H)
    assert first.isoformat() == "2026-10-25T02:30:00+02:00"
    second = schedule.add_service_time(first, H)
    assert second.isoformat() == "2026-10-25T02:30:00+01:00"
    assert schedule.service_time_between(first, second) == H


def test_new_york_7x24_hours_are_elapsed():
    schedule = Schedule("America/New_York")
    assert schedule.add_service_time(ny(2026, 3, 8, 1, 30), H).isoformat() == (
        "2026-03-08T03:30:00-04:00"
    )
    assert schedule.add_service_time(ny(2026, 11, 1, 1, 30), H).isoformat() == (
        "2026-11-01T01:30:00-05:00"
    )


def test_7x24_days_keep_wall_time_across_dst():
    berlin = Schedule("Europe/Berlin")
    assert berlin.add_working_days(be(2026, 3, 20, 12), 15).isoformat() == (
        "2026-04-04T12:00:00+02:00"
    )
    assert berlin.add_working_days(be(2026, 10, 20, 12), 15).isoformat() == (
        "2026-11-04T12:00:00+01:00"
    )
    york = Schedule("America/New_York")
    assert york.add_working_days(ny(2026, 3, 1, 8), 30).isoformat() == "2026-03-31T08:00:00-04:00"


def test_7x24_days_landing_in_gap_or_repeat():
    berlin = Schedule("Europe/Berlin")
    assert berlin.add_working_days(be(2026, 3, 28, 2, 30), 1).isoformat() == (
        "2026-03-29T03:00:00+02:00"
    )
    assert berlin.add_working_days(be(2026, 10, 24, 2, 30), 1).isoformat() == (
        "2026-10-25T02:30:00+02:00"
    )
    york = Schedule("America/New_York")
    assert york.add_working_days(ny(2026, 3, 7, 2, 15), 1).isoformat() == (
        "2026-03-08T03:00:00-04:00"
    )
    assert york.add_working_days(ny(2026, 10, 31, 1, 15), 1).isoformat() == (
        "2026-11-01T01:15:00-04:00"
    )


@pytest.mark.parametrize(
    ("zone", "spring", "fall"),
    [
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_agreed_all_day_pattern_has_23_and_25_hour_dst_days(zone, spring, fall):
    schedule = Schedule(zone, parse_hours("mon-sun 00:00-24:00"))
    tz = schedule.tz

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=tz)

    one = timedelta(days=1)
    assert schedule.service_time_between(midnight(spring), midnight(spring + one)) == 23 * H
    assert schedule.service_time_between(midnight(fall), midnight(fall + one)) == 25 * H
    assert schedule.add_service_time(midnight(spring), 23 * H) == midnight(spring + one)
    assert schedule.add_service_time(midnight(fall), 25 * H) == midnight(fall + one)
    assert (
        schedule.add_working_days(midnight(spring) + 12 * H, 1) == midnight(spring + one) + 12 * H
    )


def test_agreed_hours_inside_dst_gap_and_repeat():
    schedule = Schedule("Europe/Berlin", parse_hours("sun 00:00-02:30,sun 02:30-05:00"))
    # the pattern merges into 00:00-05:00: 4 h on the spring day, 6 h on the fall day
    assert schedule.service_time_between(be(2026, 3, 29), be(2026, 3, 30)) == 4 * H
    assert schedule.service_time_between(be(2026, 10, 25), be(2026, 10, 26)) == 6 * H
    gap = Schedule("Europe/Berlin", parse_hours("sun 02:30-05:00"))
    assert gap.next_service_interval(be(2026, 3, 29)) == (be(2026, 3, 29, 3), be(2026, 3, 29, 5))
    assert gap.clock_start(be(2026, 3, 29, 1)).isoformat() == "2026-03-29T03:00:00+02:00"
    repeat = Schedule("Europe/Berlin", parse_hours("sun 00:00-02:30"))
    start, end = repeat.next_service_interval(be(2026, 10, 25))
    assert end.isoformat() == "2026-10-25T02:30:00+01:00"  # the second 02:30
    assert end - start != 3.5 * H  # same-zone subtraction is wall-clock: hence UTC below
    assert end.astimezone(UTC) - start.astimezone(UTC) == 3.5 * H
    assert repeat.is_service_time(be(2026, 10, 25, 2, 45, fold=0))
    assert repeat.is_service_time(be(2026, 10, 25, 2, 15, fold=1))
    assert not repeat.is_service_time(be(2026, 10, 25, 2, 30, fold=1))


def test_interval_wholly_inside_dst_gap_gives_no_service_that_day():
    schedule = Schedule("Europe/Berlin", parse_hours("sun 02:00-03:00,mon 09:00-10:00"))
    assert schedule.is_working_day(date(2026, 3, 29))
    assert schedule.clock_start(be(2026, 3, 29, 1)) == be(2026, 3, 30, 9)
    assert schedule.service_time_between(be(2026, 3, 29), be(2026, 3, 30)) == timedelta(0)


# --- parse_hours / format_hours ---------------------------------------------------------------


def test_parse_standard_and_lunch_break():
    assert STANDARD_HOURS == dict.fromkeys(range(5), ((540, 1080),))
    assert parse_hours(LUNCH) == dict.fromkeys(range(5), ((540, 720), (810, 1080)))


def test_parse_is_case_and_whitespace_tolerant():
    assert parse_hours("  MON - Fri  09:00 - 18:00 ,\tSat 9:00-12:00 ") == {
        **STANDARD_HOURS,
        5: ((540, 720),),
    }


def test_parse_single_days_24_00_and_merges_touching_intervals():
    assert parse_hours("sun 00:00-24:00") == {6: ((0, 1440),)}
    assert parse_hours("mon 09:00-12:00,mon 12:00-18:00") == {0: ((540, 1080),)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mon-fri 09:00-18:00,", "empty item"),
        ("mon-fri", "expected DAYS"),
        ("09:00-18:00", "expected DAYS"),
        ("mon-fri 09-18", "expected DAYS"),
        ("mon-fri 09:00", "expected DAYS"),
        ("monday 09:00-18:00", "unknown day"),
        ("mon-fry 09:00-18:00", "unknown day"),
        ("fri-mon 09:00-18:00", "wraps"),
        ("mon 25:00-26:00", "not a time"),
        ("mon 09:60-10:00", "not a time"),
        ("mon 09:00-24:30", "not a time"),
        ("mon 24:00-24:00", "empty"),
        ("mon 10:00-10:00", "empty"),
        ("mon 18:00-09:00", "ends before"),
        ("mon-fri 09:00-18:00,wed 17:00-20:00", "overlaps"),
        ("mon 09:00-18:00,mon 09:00-18:00", "overlaps"),
        ("mon 09:00-18:00;tue 09:00-18:00", "expected DAYS"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(HoursSyntaxError, match=message) as info:
        parse_hours(text)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_format_compresses_runs_of_identical_days():
    assert format_hours(STANDARD_HOURS) == "mon-fri 09:00-18:00"
    assert format_hours(parse_hours(LUNCH + ",sat 09:00-12:00")) == (
        "mon-fri 09:00-12:00,mon-fri 13:30-18:00,sat 09:00-12:00"
    )
    assert format_hours({0: ((540, 1080),), 2: ((540, 1080),), 6: ((0, 1440),)}) == (
        "mon 09:00-18:00,wed 09:00-18:00,sun 00:00-24:00"
    )


def test_format_refuses_empty_or_invalid_hours():
    with pytest.raises(ValueError):
        format_hours({})
    with pytest.raises(ValueError):
        format_hours({0: ((540, 2000),)})


@st.composite
def weekly_hours(draw):
    hours = {}
    for day in draw(st.sets(st.integers(0, 6), min_size=1)):
        cuts = sorted(draw(st.sets(st.integers(0, 1440), min_size=2, max_size=8)))
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
        if pairs:
            hours[day] = tuple(pairs)
    if not hours:
        hours[0] = ((540, 1080),)
    return hours


@settings_(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(weekly_hours())
def test_format_then_parse_round_trips(hours):
    text = format_hours(hours)
    parsed = parse_hours(text)
    assert format_hours(parsed) == text
    assert parse_hours(text.upper().replace(",", " , ")) == parsed
    assert all(start < end for intervals in parsed.values() for start, end in intervals)


# --- properties -------------------------------------------------------------------------------

SCHEDULES = [
    CN_5X8,
    Schedule("Asia/Shanghai", parse_hours(LUNCH), holidays=CN_HOLIDAYS, workdays=CN_WORKDAYS),
    Schedule(
        "Europe/Berlin", parse_hours("mon-fri 08:00-12:00,mon-fri 13:00-17:00,sat 10:00-14:00")
    ),
    Schedule("America/New_York", STANDARD_HOURS, holidays=[date(2026, 11, 26)]),
    Schedule("Europe/Berlin", parse_hours("mon-sun 00:00-24:00")),
    Schedule("America/New_York", parse_hours("sun 01:00-03:00,wed 22:00-24:00,thu 00:00-01:30")),
]
ALWAYS_OPEN = [CN_7X24, Schedule("Europe/Berlin"), Schedule("America/New_York")]

instants = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
)
durations = st.one_of(
    st.integers(0, 500).map(lambda h: timedelta(hours=h)),
    st.integers(0, 500 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 500 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us)),
)


def u(moment: datetime) -> datetime:
    """In UTC. Python compares two datetimes of one zone by wall clock, ignoring fold, and an
    ambiguous one never equals a datetime of another zone (PEP 495): compare instants in UTC."""
    return moment.astimezone(UTC)


PROPERTY = settings_(
    max_examples=300,
    deadline=None,
    # the shared conftest's autouse fixtures are function-scoped; these tests do not use them
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@PROPERTY
@given(st.sampled_from(SCHEDULES + ALWAYS_OPEN), instants, durations)
def test_add_then_measure_gives_back_the_duration(schedule, start, duration):
    due = schedule.add_service_time(start, duration)
    assert schedule.service_time_between(start, due) == duration
    begin = schedule.clock_start(start)
    assert schedule.service_time_between(begin, due) == duration


@PROPERTY
@given(st.sampled_from(SCHEDULES), instants, durations)
def test_due_times_are_service_instants(schedule, start, duration):
    due = schedule.add_service_time(start, duration)
    assert schedule.is_service_time(due)
    assert due.tzinfo is schedule.tz
    assert u(due) >= start


@PROPERTY
@given(st.sampled_from(SCHEDULES), instants, st.integers(0, 200))
def test_working_day_results_are_service_instants(schedule, start, days):
    due = schedule.add_working_days(start, days)
    assert schedule.is_service_time(due)
    assert u(due) >= u(schedule.clock_start(start))


@PROPERTY
@given(instants, st.integers(0, 200))
def test_working_days_equal_nine_service_hours_each_under_standard_hours(start, days):
    by_days = CN_5X8.add_working_days(start, days)
    assert u(by_days) == u(CN_5X8.add_service_time(start, 9 * days * H))


@PROPERTY
@given(st.sampled_from(SCHEDULES), instants)
def test_clock_start_is_first_service_instant(schedule, at):
    begin = schedule.clock_start(at)
    assert u(begin) >= at
    assert schedule.is_service_time(begin)
    assert u(schedule.clock_start(begin)) == u(begin)
    assert schedule.service_time_between(at, begin) == timedelta(0)
    assert schedule.is_service_time(at) == (u(begin) == at)
    start, end = schedule.next_service_interval(at)
    assert u(start) <= u(begin) < u(end)
    assert u(start) == u(begin) or schedule.is_service_time(at)
    # UTC: arithmetic on a datetime in its own zone is wall-clock, wrong across a DST gap
    assert schedule.is_service_time(end.astimezone(UTC) - timedelta(microseconds=1))
    assert not schedule.is_service_time(end) or u(schedule.clock_start(end)) == u(end)


@PROPERTY
@given(st.sampled_from(ALWAYS_OPEN), instants, durations)
def test_always_open_adds_elapsed_time(schedule, start, duration):
    due = schedule.add_service_time(start, duration)
    assert u(due) == start + duration
    assert u(schedule.clock_start(start)) == start
    assert schedule.service_time_between(start, due) == duration


@PROPERTY
@given(st.sampled_from(SCHEDULES + ALWAYS_OPEN), st.lists(instants, min_size=3, max_size=3))
def test_service_time_between_is_additive(schedule, points):
    a, b, c = sorted(points)
    total = schedule.service_time_between(a, c)
    assert total == schedule.service_time_between(a, b) + schedule.service_time_between(b, c)
    assert total <= c - a
    assert schedule.service_time_between(c, a) == timedelta(0)
