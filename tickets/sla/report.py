"""The SLA report: targets met and breached per month, tier, priority and metric, read from the
figures kept by tickets.sla.figures (a few hundred rows a year, whatever the history holds)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sla.models import Metric, Priority
from tickets.models import SlaFigure
from tickets.sla.figures import next_month


def share(met: int, breached: int) -> float | None:
    """Per cent of the decided targets (met or breached) that were met; None before any."""
    decided = met + breached
    return round(100 * met / decided, 1) if decided else None


@dataclass(frozen=True)
class SlaReportRow:
    month: date
    tier: str
    priority: str
    metric: str
    tickets: int
    targets: int
    met: int
    breached: int
    tier_id: int | None = None

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def running(self) -> int:
        """Targets not decided yet: clocks still running or paused, not breached."""
        return self.targets - self.decided

    @property
    def share_met(self) -> float | None:
        return share(self.met, self.breached)


def sla_report(
    *,
    since: date | None = None,
    until: date | None = None,
    tier: str = "",
    metric: str = "",
) -> list[SlaReportRow]:
    """The figures of the months from `since` (inclusive) to `until` (exclusive), newest first,
    narrowed to a tier code and a metric when given: one query. The month is the UTC month of
    the tickets' opening; `tickets` counts the tickets of the row's month, tier and priority."""
    figures = SlaFigure.objects.order_by("-month", "tier__code", "priority", "metric")
    if since is not None:
        figures = figures.filter(month__gte=since)
    if until is not None:
        figures = figures.filter(month__lt=until)
    if tier:
        figures = figures.filter(tier__code=tier)
    if metric:
        figures = figures.filter(metric=metric)
    order = {m: i for i, m in enumerate(Metric.values)}
    columns = ["month", "tier__code", "priority", "metric", "tickets", "targets", "met"]
    rows = [
        SlaReportRow(*values[:7], breached=values[7], tier_id=values[8])
        for values in figures.values_list(*columns, "breached", "tier_id")
    ]
    # Metrics in the order of the SLA (response, restore, fix), not alphabetical.
    rows.sort(key=lambda r: (-r.month.toordinal(), r.tier, r.priority, order.get(r.metric, 9)))
    return rows


@dataclass(frozen=True)
class Totals:
    tickets: int
    targets: int
    met: int
    breached: int

    @property
    def running(self) -> int:
        return self.targets - self.met - self.breached

    @property
    def share_met(self) -> float | None:
        return share(self.met, self.breached)


def report_totals(rows: list[SlaReportRow]) -> Totals:
    """All rows together; each (month, tier, priority)'s tickets counted once."""
    tickets = {(r.month, r.tier, r.priority): r.tickets for r in rows}
    return Totals(
        tickets=sum(tickets.values()),
        targets=sum(r.targets for r in rows),
        met=sum(r.met for r in rows),
        breached=sum(r.breached for r in rows),
    )


def totals_by_metric(rows: list[SlaReportRow]) -> list[tuple[str, Totals]]:
    """(metric, totals) in the order of the SLA, for the metrics present."""
    by_metric = defaultdict(list)
    for row in rows:
        by_metric[row.metric].append(row)
    return [(m, report_totals(by_metric[m])) for m in Metric.values if m in by_metric]


def months_between(since: date, until: date) -> list[date]:
    """The months from `since` (inclusive) to `until` (exclusive), oldest first."""
    months = []
    month = since
    while month < until:
        months.append(month)
        month = next_month(month)
    return months


def share_series(
    rows: list[SlaReportRow], months: list[date]
) -> dict[str, dict[str, list[float | None]]]:
    """{tier: {metric: [share met of each month, None where nothing was decided]}}, all
    priorities together."""
    met = defaultdict(int)
    breached = defaultdict(int)
    tiers = set()
    metrics = set()
    for row in rows:
        key = (row.tier, row.metric, row.month)
        met[key] += row.met
        breached[key] += row.breached
        tiers.add(row.tier)
        metrics.add(row.metric)
    return {
        tier: {
            metric: [share(met[(tier, metric, m)], breached[(tier, metric, m)]) for m in months]
            for metric in Metric.values
            if metric in metrics
        }
        for tier in sorted(tiers)
    }


def breach_series(rows: list[SlaReportRow], months: list[date]) -> dict[str, list[int]]:
    """{priority: [breached targets of each month]}, every tier and metric together."""
    breached = defaultdict(int)
    for row in rows:
        breached[(row.priority, row.month)] += row.breached
    return {p: [breached[(p, m)] for m in months] for p in Priority.values}
