"""The SLA report's figures (tickets.models.SlaFigure): kept per month of opening, tier, priority
and metric so that the report reads a few hundred rows whatever the size of the history.

How they stay exact: every change of clocks (the ticket services and the sweep, through
tickets.sla.summary) and every change of a contract's tier marks the month of the tickets it
touched stale, in its own transaction (an insert: concurrent changes never wait on each other).
`sla_figures_refresh` (beat, every minute; the report page shows when it last ran) recounts the
stale months from the clocks, so the figures are, by construction, what a full recount gives.
`sla_figures_refresh(full=True)` recounts everything (management command `rebuild_sla_figures`,
the report page's button, and after bulk loads such as bench/deskdata.py).

The recount sees every change whose mark it removes: the marks are read first, the clocks after
(PostgreSQL's READ COMMITTED takes a new snapshot per statement), and only the marks read are
removed; a change committed meanwhile keeps its mark for the next run. Recounts are serialised by
the lock on the one SlaFigureState row."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from sla.models import Metric
from tickets.models import Clock, SlaFigure, SlaFigureStale, SlaFigureState, SlaState, Ticket

# A target is a clock with a due time; met when reached by it and never flagged; breached when
# flagged or reached late. A recorded breach is final (docs/spec.md): the clock stays a breached
# target whatever happened to it since, even when it later lost its due time.
TARGET = (
    Q(due_at__isnull=False)
    & Q(state__in=[SlaState.RUNNING, SlaState.PAUSED, SlaState.MET, SlaState.BREACHED])
) | Q(breached_at__isnull=False)
MET = TARGET & Q(met_at__isnull=False, breached_at__isnull=True, met_at__lte=F("due_at"))
BREACHED = Q(breached_at__isnull=False) | (TARGET & Q(met_at__gt=F("due_at")))

_DELETE_BATCH = 500


def month_of(moment: datetime) -> date:
    """The first day of the UTC month of `moment`."""
    return moment.astimezone(UTC).date().replace(day=1)


def next_month(month: date) -> date:
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def sla_figures_mark(moments: Iterable[datetime]) -> None:
    """Mark the months of these opening times stale (one insert)."""
    months = {month_of(moment) for moment in moments if moment is not None}
    if months:
        SlaFigureStale.objects.bulk_create(SlaFigureStale(month=m) for m in sorted(months))


def sla_figures_mark_tickets(tickets) -> None:
    """Mark the months of the tickets of a queryset stale (one read, one insert)."""
    months = (
        tickets.annotate(month=TruncMonth("opened_at", tzinfo=UTC))
        .values_list("month", flat=True)
        .order_by()
        .distinct()
    )
    sla_figures_mark(list(months))


def _in_months(prefix: str, months: list[date] | None) -> Q:
    if months is None:
        return Q()
    q = Q(pk__in=[])
    for month in months:
        q |= Q(
            **{
                f"{prefix}opened_at__gte": month_start(month),
                f"{prefix}opened_at__lt": month_start(next_month(month)),
            }
        )
    return q


def sla_figures_count(*, months: list[date] | None = None) -> list[SlaFigure]:
    """Recount the figures of `months` (all when None) from the tickets and their clocks: two
    aggregate queries. Every (month, tier, priority) with tickets gets a row for each metric."""
    tickets = (
        Ticket.objects.filter(_in_months("", months))
        .annotate(month=TruncMonth("opened_at", tzinfo=UTC))
        .values_list("month", "contract__tier_id", "priority")
        .annotate(count=Count("pk"))
        .order_by()
    )
    clocks = (
        Clock.objects.filter(_in_months("ticket__", months))
        .annotate(month=TruncMonth("ticket__opened_at", tzinfo=UTC))
        .values_list("month", "ticket__contract__tier_id", "ticket__priority", "metric")
        .annotate(
            targets=Count("pk", filter=TARGET),
            met=Count("pk", filter=MET),
            breached=Count("pk", filter=BREACHED),
        )
        .order_by()
    )
    counts = defaultdict(lambda: (0, 0, 0))
    for month, tier_id, priority, metric, *values in clocks:
        counts[(_as_date(month), tier_id, priority, metric)] = tuple(values)
    figures = []
    for month, tier_id, priority, count in tickets:
        for metric in Metric.values:
            targets, met, breached = counts[(_as_date(month), tier_id, priority, metric)]
            figures.append(
                SlaFigure(
                    month=_as_date(month),
                    tier_id=tier_id,
                    priority=priority,
                    metric=metric,
                    tickets=count,
                    targets=targets,
                    met=met,
                    breached=breached,
                )
            )
    return figures


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class FiguresRefresh:
    months: int
    rows: int
    refreshed_at: datetime


@transaction.atomic
def sla_figures_refresh(*, now: datetime, full: bool = False) -> FiguresRefresh:
    """Recount the stale months (every month with `full`) and record `now` as the moment the
    figures were brought up to date."""
    state = _lock_state()
    marks = list(SlaFigureStale.objects.values_list("pk", "month"))
    months = None if full else sorted({month for _pk, month in marks})
    if months != []:
        figures = sla_figures_count(months=months)
        stale = (
            SlaFigure.objects.all()
            if months is None
            else SlaFigure.objects.filter(month__in=months)
        )
        stale.delete()
        SlaFigure.objects.bulk_create(figures, batch_size=1000)
    else:
        figures = []
    ids = [pk for pk, _month in marks]
    for start in range(0, len(ids), _DELETE_BATCH):
        SlaFigureStale.objects.filter(pk__in=ids[start : start + _DELETE_BATCH]).delete()
    state.refreshed_at = now
    fields = ["refreshed_at"]
    if full:
        state.rebuilt_at = now
        fields.append("rebuilt_at")
    state.save(update_fields=fields)
    counted = len({f.month for f in figures}) if months is None else len(months)
    return FiguresRefresh(months=counted, rows=len(figures), refreshed_at=now)


def _lock_state() -> SlaFigureState:
    SlaFigureState.objects.get_or_create(pk=1)
    return SlaFigureState.objects.select_for_update().get(pk=1)


def sla_figures_state() -> tuple[datetime | None, int]:
    """(when the figures were last brought up to date, how many months wait for a recount)."""
    state = SlaFigureState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    stale = SlaFigureStale.objects.values("month").distinct().count()
    return state, stale
