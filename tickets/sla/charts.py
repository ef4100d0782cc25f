"""The SLA report's charts as inline SVG drawn by the server: no script, no library, readable in
both colour themes (the colours are CSS classes, static/admin/css/sla.css). Each mark carries its
figure in a <title> (the tooltip) and in data- attributes."""

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sla.models import Metric, Priority

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 30


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * (i + 0.5) / n if n else 0)


def _y(value: float, top: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - (span * value / top if top else 0)


def _axes(months: list[date], ticks: list[tuple[float, str]], top: float) -> SafeString:
    grid = format_html_join(
        "",
        '<line class="sla-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="sla-chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                f"{_y(v, top):.1f}",
                f"{_y(v, top):.1f}",
                LEFT - 4,
                f"{_y(v, top) + 4:.1f}",
                label,
            )
            for v, label in ticks
        ),
    )
    step = max(1, len(months) // 12)
    labels = format_html_join(
        "",
        '<text class="sla-chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{_x(i, len(months)):.1f}", HEIGHT - BOTTOM + 16, f"{m:%Y-%m}")
            for i, m in enumerate(months)
            if i % step == 0
        ),
    )
    return grid + labels


def _svg(title: str, body: SafeString, css: str) -> SafeString:
    return format_html(
        '<svg class="sla-chart {}" viewBox="0 0 {} {}" width="100%" role="img" '
        'preserveAspectRatio="xMidYMid meet"><title>{}</title>{}</svg>',
        css,
        WIDTH,
        HEIGHT,
        title,
        body,
    )


def share_chart(tier: str, series: dict[str, list[float | None]], months: list[date]) -> str:
    """Lines of the share met per month (0-100 %), one per metric, for one tier. A month with
    nothing decided leaves a gap."""
    ticks = [(0, "0 %"), (50, "50 %"), (100, "100 %")]
    parts = [_axes(months, ticks, 100)]
    labels = {code: str(label) for code, label in Metric.choices}
    point = _("%(month)s, %(tier)s, %(metric)s: %(share)s %% met")
    for metric, values in series.items():
        segments, current = [], []
        for i, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append(f"{_x(i, len(months)):.1f},{_y(value, 100):.1f}")
        if current:
            segments.append(current)
        parts.append(
            format_html_join(
                "",
                '<polyline class="sla-line sla-metric-{}" points="{}"/>',
                ((metric, " ".join(points)) for points in segments),
            )
        )
        parts.append(
            format_html_join(
                "",
                '<circle class="sla-dot sla-metric-{}" cx="{}" cy="{}" r="3.5" data-tier="{}" '
                'data-metric="{}" data-month="{}" data-share="{}"><title>{}</title></circle>',
                (
                    (
                        metric,
                        f"{_x(i, len(months)):.1f}",
                        f"{_y(value, 100):.1f}",
                        tier,
                        metric,
                        f"{months[i]:%Y-%m}",
                        value,
                        point
                        % {
                            "month": f"{months[i]:%Y-%m}",
                            "tier": tier,
                            "metric": labels.get(metric, metric),
                            "share": value,
                        },
                    )
                    for i, value in enumerate(values)
                    if value is not None
                ),
            )
        )
    title = _("Share of targets met per month, tier %(tier)s") % {"tier": tier}
    return _svg(title, mark_safe("".join(parts)), "sla-chart-share")  # noqa: S308 (built escaped)


def breach_chart(series: dict[str, list[int]], months: list[date]) -> str:
    """Columns of breached targets per month, stacked by priority (P1 at the bottom)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(months))]
    top = max([*totals, 1])
    ticks = [(0, "0"), (top, str(top))]
    if top >= 4:
        ticks.insert(1, (top / 2, f"{top / 2:g}"))
    parts = [_axes(months, ticks, top)]
    bar = (WIDTH - LEFT - RIGHT) / max(len(months), 1) * 0.6
    base = [0] * len(months)
    label = _("%(month)s, %(priority)s: %(count)s breached")
    for priority in Priority.values:
        values = series.get(priority, [0] * len(months))
        rects = []
        for i, count in enumerate(values):
            if not count:
                continue
            y_top, y_bottom = _y(base[i] + count, top), _y(base[i], top)
            base[i] += count
            rects.append(
                (
                    priority,
                    f"{_x(i, len(months)) - bar / 2:.1f}",
                    f"{y_top:.1f}",
                    f"{bar:.1f}",
                    f"{y_bottom - y_top:.1f}",
                    priority,
                    f"{months[i]:%Y-%m}",
                    count,
                    label % {"month": f"{months[i]:%Y-%m}", "priority": priority, "count": count},
                )
            )
        parts.append(
            format_html_join(
                "",
                '<rect class="sla-bar sla-priority-{}" x="{}" y="{}" width="{}" height="{}" '
                'data-priority="{}" data-month="{}" data-breached="{}"><title>{}</title></rect>',
                rects,
            )
        )
    title = _("Breached targets per month and priority")
    return _svg(title, mark_safe("".join(parts)), "sla-chart-breaches")  # noqa: S308
