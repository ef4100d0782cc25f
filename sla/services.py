"""SLA reference-data services: build a contract's business-time schedule, compute due times
from the target matrix, import holiday years."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from sla.business_time import HoursSyntaxError, Schedule, parse_hours
from sla.holiday_data import UnknownCountryError, day_rows
from sla.models import CalendarDay, DayKind, HolidayCalendar, Metric, Target, TargetUnit, Tier
from sla.signals import schedule_changed


class SlaError(ServiceError):
    """A refused SLA operation; the message is translated and shown to the user as is."""


def build_schedule(
    *, tier: Tier, timezone: str, calendar: HolidayCalendar | None, hours: str = ""
) -> Schedule:
    """The business-time schedule of a tier in a time zone: the agreed `hours` win over the
    tier's; an always-open tier without agreed hours ignores holidays (7x24 is every day)."""
    pattern = hours or tier.hours
    try:
        weekly = parse_hours(pattern) if pattern else None
    except HoursSyntaxError as exc:
        raise SlaError(_("Invalid service hours: %(error)s") % {"error": exc}) from exc
    holidays: list = []
    workdays: list = []
    if weekly is not None and calendar is not None:
        for day, kind in calendar.days.values_list("date", "kind"):
            (holidays if kind == DayKind.HOLIDAY else workdays).append(day)
    try:
        return Schedule(timezone, weekly, holidays=holidays, workdays=workdays)
    except ValueError as exc:
        raise SlaError(_("Unknown time zone: %(zone)s") % {"zone": timezone}) from exc


@dataclass(frozen=True)
class DueTimes:
    clock_start: datetime
    due: dict[str, datetime | None]


def target_due(*, schedule: Schedule, start: datetime, amount: int, unit: str) -> datetime:
    """The due time of a target of `amount` `unit` counted from `start` (docs/spec.md: hours are
    service hours, days are working days under business hours and calendar days under 7x24)."""
    if unit == TargetUnit.DAYS:
        return schedule.add_working_days(start, amount)
    return schedule.add_service_time(start, timedelta(hours=amount))


def targets_for(*, tier: Tier, priority: str) -> dict[str, Target]:
    return {t.metric: t for t in Target.objects.filter(tier=tier, priority=priority)}


def due_times(*, tier: Tier, priority: str, opened_at: datetime, schedule: Schedule) -> DueTimes:
    """Clock start and the due time of each metric for a ticket opened at `opened_at` (None where
    the tier has no such target)."""
    start = schedule.clock_start(opened_at)
    targets = targets_for(tier=tier, priority=priority)
    due: dict[str, datetime | None] = {}
    for metric in Metric.values:
        target = targets.get(metric)
        if target is None or target.amount is None:
            due[metric] = None
        else:
            due[metric] = target_due(
                schedule=schedule, start=start, amount=target.amount, unit=target.unit
            )
    return DueTimes(clock_start=start, due=due)


@transaction.atomic
def calendar_import_year(
    *, year: int, calendar: HolidayCalendar | None = None, code: str = "", country: str = ""
) -> tuple[HolidayCalendar, int]:
    """Replace a calendar's rows for `year` with the holidays library's data for its country
    (the calendar `code` is created when missing). Returns the calendar and its row count."""
    if calendar is None:
        country = country.upper()
        calendar, _created = HolidayCalendar.objects.get_or_create(
            code=code or country, defaults={"name": code or country, "country": country}
        )
    country = country or calendar.country
    if not country:
        raise SlaError(
            _("The calendar %(code)s has no country to import from.") % {"code": calendar.code}
        )
    try:
        rows = day_rows(country, year)
    except UnknownCountryError as exc:
        raise SlaError(
            _("The holidays library has no calendar for %(country)s.") % {"country": country}
        ) from exc
    HolidayCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    calendar.days.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(calendar=calendar, date=row.date, kind=row.kind, name=row.name[:200])
        for row in rows
    )
    if not calendar.country:
        calendar.country = country.upper()
    calendar.save(update_fields=["country", "updated_at"])
    reference_data_changed(calendar=calendar)
    return calendar, len(rows)


def calendars_missing_year(*, year: int) -> list[HolidayCalendar]:
    """Calendars tied to a country that have no rows for `year` yet (the admin warns)."""
    return list(
        HolidayCalendar.objects.exclude(country="").exclude(days__date__year=year).distinct()
    )


def reference_data_changed(
    *, calendar: HolidayCalendar | None = None, tier: Tier | None = None, contract=None
) -> None:
    """Call after SLA targets, a tier's hours, a holiday calendar or a contract's schedule (agreed
    hours, time zone, calendar, tier) changed: once committed, `schedule_changed` tells the
    tickets app, which recomputes the clocks of the open tickets concerned (every open ticket
    when nothing is given)."""
    ids = {
        "calendar_id": calendar.pk if calendar is not None else None,
        "tier_id": tier.pk if tier is not None else None,
        "contract_id": contract.pk if contract is not None else None,
    }
    transaction.on_commit(lambda: schedule_changed.send(sender=None, **ids), robust=True)
