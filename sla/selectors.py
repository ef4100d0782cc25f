"""Read-side SLA helpers shared by the sla_preview command, the API and the admin report."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from sla.models import ClockState, HolidayCalendar, Priority, Tier
from sla.services import SlaError, build_schedule, due_times
from tickets.models import Ticket


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


@dataclass(frozen=True)
class SlaReportRow:
    month: date
    tier: str
    priority: str
    tickets: int
    targets: int
    met: int
    breached: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def share_met(self) -> float | None:
        """Per cent of the decided targets (met or breached) that were met; None before any."""
        return round(100 * self.met / self.decided, 1) if self.decided else None


def sla_report(
    *, since: datetime | None = None, until: datetime | None = None
) -> list[SlaReportRow]:
    """Tickets, SLA targets, targets met and breached per month, tier and priority, in one
    aggregate query. The month is the month of the ticket's opening in UTC (one calendar for
    all contracts, whatever their time zones); `since` is inclusive, `until` exclusive.

    A target is a clock with a due time (not "not applicable"); it is met when met by its due
    time and never flagged breached, and breached when flagged or met late. Clocks still
    running count as targets only."""
    tickets = Ticket.objects.all()
    if since is not None:
        tickets = tickets.filter(opened_at__gte=since)
    if until is not None:
        tickets = tickets.filter(opened_at__lt=until)
    target = Q(clocks__due_at__isnull=False) & Q(
        clocks__state__in=[
            ClockState.RUNNING,
            ClockState.PAUSED,
            ClockState.MET,
            ClockState.BREACHED,
        ]
    )
    met = target & Q(
        clocks__met_at__isnull=False,
        clocks__breached_at__isnull=True,
        clocks__met_at__lte=F("clocks__due_at"),
    )
    breached = target & (
        Q(clocks__breached_at__isnull=False) | Q(clocks__met_at__gt=F("clocks__due_at"))
    )
    rows = (
        tickets.annotate(month=TruncMonth("opened_at", tzinfo=UTC))
        .values("month", "contract__tier__code", "priority")
        .annotate(
            ticket_count=Count("pk", distinct=True),
            target_count=Count("clocks", filter=target),
            met_count=Count("clocks", filter=met),
            breached_count=Count("clocks", filter=breached),
        )
        .order_by("-month", "contract__tier__code", "priority")
    )
    return [
        SlaReportRow(
            month=row["month"].date(),
            tier=row["contract__tier__code"],
            priority=row["priority"],
            tickets=row["ticket_count"],
            targets=row["target_count"],
            met=row["met_count"],
            breached=row["breached_count"],
        )
        for row in rows
    ]
