"""Read-side SLA helpers: the preview of due times shared by the sla_preview command and the API."""

from datetime import datetime

from django.utils.translation import gettext as _

from core.moments import FIRST_YEAR, LAST_YEAR, in_supported_range
from sla.models import HolidayCalendar, Priority, Tier
from sla.services import SlaError, build_schedule, due_times


def sla_preview(
    *,
    tier: str,
    priority: str,
    opened_at: str,
    timezone: str,
    calendar: str = "NONE",
    hours: str = "",
) -> dict:
    """The clock start and due times a ticket opened at `opened_at` would get, JSON-ready.
    `opened_at` without an offset is local time in `timezone`. Raises SlaError on bad input."""
    tier_obj = Tier.objects.filter(code=tier).first()
    if tier_obj is None:
        codes = ", ".join(Tier.objects.values_list("code", flat=True))
        raise SlaError(
            _("Unknown tier %(tier)r (one of: %(codes)s).") % {"tier": tier, "codes": codes}
        )
    if priority not in Priority.values:
        raise SlaError(
            _("Unknown priority %(priority)r (one of: %(codes)s).")
            % {"priority": priority, "codes": ", ".join(Priority.values)}
        )
    calendar_obj = HolidayCalendar.objects.filter(code=calendar).first()
    if calendar_obj is None:
        raise SlaError(_("Unknown calendar %(code)r.") % {"code": calendar})
    schedule = build_schedule(tier=tier_obj, timezone=timezone, calendar=calendar_obj, hours=hours)
    try:
        moment = datetime.fromisoformat(opened_at)
    except ValueError as exc:
        raise SlaError(
            _("%(value)r is not an ISO 8601 date and time.") % {"value": opened_at}
        ) from exc
    if not in_supported_range(moment):
        raise SlaError(
            _("Choose a date between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="out_of_range",
            field="opened_at",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=schedule.tz)
    result = due_times(tier=tier_obj, priority=priority, opened_at=moment, schedule=schedule)
    return {
        "tier": tier_obj.code,
        "priority": priority,
        "timezone": timezone,
        "clock_start": result.clock_start.isoformat(),
        "due": {metric: (due.isoformat() if due else None) for metric, due in result.due.items()},
    }
