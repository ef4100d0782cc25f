"""The SLA report: targets met and breached per month, tier and priority."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from tickets.models import SlaState, Ticket


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
            SlaState.RUNNING,
            SlaState.PAUSED,
            SlaState.MET,
            SlaState.BREACHED,
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
