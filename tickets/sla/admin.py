"""The read side of the SLA sweep in the admin: clocks and the SLA report (the alerts' deliveries
are in the notification outbox, tickets.notifications.admin)."""

import csv
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyAdmin
from core.admin_list import DeskListMixin
from core.badges import badge, sla_badge, sla_badge_of
from core.moments import in_supported_range
from core.pagination import CappedPaginator
from core.roles import has_staff_permission
from core.timefmt import local_time
from sla.models import Metric, Tier
from tickets.models import Clock, SlaState
from tickets.sla.charts import breach_chart, share_chart
from tickets.sla.figures import (
    BREACHED,
    month_of,
    month_start,
    next_month,
    sla_figures_refresh,
    sla_figures_state,
)
from tickets.sla.report import (
    breach_series,
    months_between,
    report_totals,
    share_series,
    sla_report,
    totals_by_metric,
)


def moment_set_filter(field: str, title, yes, no) -> type[admin.SimpleListFilter]:
    """A yes/no list filter on whether a moment was recorded (e.g. breached_at, sent_at)."""

    class MomentSetFilter(admin.SimpleListFilter):
        parameter_name = field.removesuffix("_at")

        def lookups(self, request, model_admin):
            return [("yes", yes), ("no", no)]

        def queryset(self, request, queryset):
            if self.value() in ("yes", "no"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "no"})
            return queryset

    MomentSetFilter.title = title
    return MomentSetFilter


BreachedFilter = moment_set_filter("breached_at", _("breached"), _("breached"), _("not breached"))


@admin.register(Clock)
class ClockAdmin(DeskListMixin, ReadOnlyAdmin):
    """Read-only: clocks change through the ticket services and the sweep only."""

    list_display = ["ticket", "metric", "state_badge", "due_local", "flags", "started_at"]
    list_filter = ["state", "metric", BreachedFilter, "agreed"]
    list_select_related = ["ticket__contract"]
    list_only = (
        "ticket__subject",
        "ticket__contract__timezone",
        "metric",
        "state",
        "due_at",
        "breached_at",
        "at_risk_flagged_at",
        "agreed",
        "started_at",
    )
    search_fields = ["=ticket__id", "ticket__subject", "ticket__contract__number"]
    # Newest first, through the primary key: sorting millions of clocks by due time on every
    # view took seconds at 1M tickets (the column stays sortable on demand).
    ordering = ["-pk"]
    # Three clocks a ticket: no COUNT(*) of the whole table per page.
    show_full_result_count = False
    paginator = CappedPaginator

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj: Clock):
        return sla_badge_of(obj.state, SlaState)

    @admin.display(description=_("due (contract time)"), ordering="due_at")
    def due_local(self, obj: Clock):
        return local_time(obj.due_at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=_("flags"))
    def flags(self, obj: Clock):
        return _flags(
            get_language(), bool(obj.breached_at), bool(obj.at_risk_flagged_at), obj.agreed
        )


@lru_cache(maxsize=64)
def _flags(language: str | None, breached: bool, at_risk: bool, agreed: bool):
    """A clock's flags as badges, drawn once per language and combination (a page lists a
    hundred clocks with the same few)."""
    shown = []
    if breached:
        shown.append(sla_badge(SlaState.BREACHED, _("breached")))
    elif at_risk:
        shown.append(sla_badge(SlaState.AT_RISK, _("at risk")))
    if agreed:
        shown.append(badge(_("agreed"), "grey"))
    return format_html_join(" ", "{}", ((b,) for b in shown)) or "—"


class Report(Clock):
    """The SLA report's entry on the admin index (admin/tickets/report/). A proxy without data of
    its own: the page is ReportAdmin.changelist_view."""

    class Meta:
        proxy = True
        verbose_name = _("SLA report")
        verbose_name_plural = _("SLA report")


# --- the desk list's filters behind the report's breached counts -------------------------------


def _months_back(today: date, count: int) -> list[date]:
    months = [month_of(timezone.now()) if today is None else today.replace(day=1)]
    while len(months) < count:
        previous = months[-1]
        months.append(
            previous.replace(
                year=previous.year - (previous.month == 1), month=(previous.month - 2) % 12 + 1
            )
        )
    return months


def _parse_month(value: str | None) -> date | None:
    """A month typed as YYYY-MM, inside the supported years (core.moments); None otherwise."""
    try:
        month = date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        return None
    return month if in_supported_range(month) else None


class OpenedMonthFilter(admin.SimpleListFilter):
    """Tickets opened in one UTC month (the SLA report's month). Choices: the last 12 months,
    computed, not read from the tickets; any YYYY-MM in the URL works."""

    title = _("opened in (month, UTC)")
    parameter_name = "opened"

    def lookups(self, request, model_admin):
        return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in _months_back(None, 12)]

    def queryset(self, request, queryset):
        month = _parse_month(self.value())
        if self.value() and month is None:
            return queryset.none()
        if month is None:
            return queryset
        return queryset.filter(
            opened_at__gte=month_start(month), opened_at__lt=month_start(next_month(month))
        )


class BreachedClockFilter(admin.SimpleListFilter):
    """Tickets whose clock of a metric was breached (flagged, or reached late): exactly the
    tickets the SLA report counts as breached, whatever the clock did afterwards."""

    title = _("breached target")
    parameter_name = "breached"

    def lookups(self, request, model_admin):
        return Metric.choices

    def queryset(self, request, queryset):
        if self.value() not in Metric.values:
            return queryset
        clocks = Clock.objects.filter(BREACHED, ticket=OuterRef("pk"), metric=self.value())
        return queryset.filter(Exists(clocks))


def breached_tickets_url(row, base: str | None = None) -> str:
    """The desk's ticket list narrowed to the tickets behind a breached count of the report."""
    query = {
        "opened": f"{row.month:%Y-%m}",
        "contract__tier__id__exact": row.tier_id,
        "priority__exact": row.priority,
        "breached": row.metric,
    }
    return f"{base or reverse('admin:tickets_ticket_changelist')}?{urlencode(query)}"


def _share_text(value: float | None) -> str:
    return "—" if value is None else f"{value} %"


def report_rows_html(rows) -> SafeString:
    """The table's body, built here rather than by a template loop: a year is about 300 rows
    of ten cells, which the template engine takes tens of milliseconds to render. Text that is
    not a number is escaped."""
    base = reverse("admin:tickets_ticket_changelist")
    labels = {code: escape(label) for code, label in Metric.choices}
    show = escape(gettext("Show these tickets"))
    number = '<td class="number">{}</td>'
    lines = []
    for row in rows:
        met = f'<span class="badge sla-met">{row.met}</span>' if row.met else "0"
        breached = (
            f'<a class="badge sla-breached sla-breached-link" '
            f'href="{escape(breached_tickets_url(row, base))}" title="{show}">{row.breached}</a>'
            if row.breached
            else "0"
        )
        lines.append(
            f"<tr><td>{row.month:%Y-%m}</td><td>{escape(row.tier)}</td>"
            f"<td>{escape(row.priority)}</td><td>{labels.get(row.metric, '')}</td>"
            + "".join(
                number.format(value)
                for value in (
                    row.tickets,
                    row.targets,
                    met,
                    breached,
                    row.running,
                    _share_text(row.share_met),
                )
            )
            + "</tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every text above is escaped)


# --- the report ----------------------------------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class ReportFilterForm(forms.Form):
    since = forms.DateField(
        label=_("From month"), required=False, input_formats=["%Y-%m"], widget=MonthInput
    )
    until = forms.DateField(
        label=_("to month"), required=False, input_formats=["%Y-%m"], widget=MonthInput
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    metric = forms.ChoiceField(
        label=_("Metric"), required=False, choices=[("", _("All")), *Metric.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tiers = Tier.objects.order_by("code").values_list("code", "name")
        self.fields["tier"].choices = [("", _("All")), *tiers]

    def _clean_month(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not in_supported_range(value):
            raise forms.ValidationError(_("Choose a month between 2000 and 2099."), "out_of_range")
        return value

    def clean_since(self):
        return self._clean_month("since")

    def clean_until(self):
        return self._clean_month("until")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                forms.ValidationError(
                    _("The last month comes before the first."), "until_before_since"
                ),
            )
        return data


# The default period: the last twelve months, this one included.
DEFAULT_MONTHS = 12


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Targets met and breached per month, tier, priority and metric, for support managers: a
    chart, a table whose breached counts open the tickets behind them, and a CSV export."""

    def has_module_permission(self, request):
        return has_staff_permission(request.user, "tickets.view_report")

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(request.user, "tickets.view_report")

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def period(self, form: ReportFilterForm, now) -> tuple[date, date]:
        """(first month, last month) asked for, the last twelve months by default."""
        data = form.cleaned_data if form.is_valid() else {}
        until = data.get("until") or month_of(now)
        since = data.get("since") or _months_back(until, DEFAULT_MONTHS)[-1]
        return since, until

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        if request.method == "POST":
            return self.rebuild(request, now)
        form = ReportFilterForm(request.GET or None)
        since, until = self.period(form, now)
        data = form.cleaned_data if form.is_valid() else {}
        tier, metric = data.get("tier", ""), data.get("metric", "")
        rows = sla_report(since=since, until=next_month(until), tier=tier, metric=metric)
        if request.GET.get("format") == "csv":
            return self.csv_response(rows, since, until)
        months = months_between(since, next_month(until))
        refreshed_at, stale_months = sla_figures_state()
        context = {
            **self.admin_site.each_context(request),
            "title": _("SLA report"),
            "opts": self.opts,
            "form": form,
            "rows": rows,
            "rows_html": report_rows_html(rows),
            "totals": report_totals(rows),
            "metric_totals": [(Metric(m).label, totals) for m, totals in totals_by_metric(rows)],
            "share_charts": [
                (code, share_chart(code, series, months))
                for code, series in share_series(rows, months).items()
            ],
            "breach_chart": breach_chart(breach_series(rows, months), months),
            "metric_legend": Metric.choices,
            "since": since,
            "until": until,
            "csv_query": urlencode(
                {
                    "since": f"{since:%Y-%m}",
                    "until": f"{until:%Y-%m}",
                    "tier": tier,
                    "metric": metric,
                    "format": "csv",
                }
            ),
            "refreshed_at": local_time(refreshed_at, settings.SUPPORT_TIME_ZONE, utc=True),
            "stale_months": stale_months,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/tickets/report.html", context)

    def rebuild(self, request, now):
        """Recount every month from the clocks (the button under the report)."""
        result = sla_figures_refresh(now=now, full=True)
        self.message_user(
            request,
            gettext("The figures were recounted from the history (%(months)d months).")
            % {"months": result.months},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(request.get_full_path())

    def csv_response(self, rows, since: date, until: date) -> HttpResponse:
        """The rows shown, as CSV for a spreadsheet: UTF-8 with a byte-order mark (so that Excel
        reads Chinese), one line per month, tier, priority and metric."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"sla-report-{since:%Y-%m}-{until:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                gettext("Month"),
                gettext("Tier"),
                gettext("Priority"),
                gettext("Metric"),
                gettext("Tickets"),
                gettext("Targets"),
                gettext("Met"),
                gettext("Breached"),
                gettext("Running"),
                gettext("Share met (%)"),
            ]
        )
        labels = dict(Metric.choices)
        for row in rows:
            writer.writerow(
                [
                    f"{row.month:%Y-%m}",
                    row.tier,
                    row.priority,
                    str(labels.get(row.metric, "")),
                    row.tickets,
                    row.targets,
                    row.met,
                    row.breached,
                    row.running,
                    "" if row.share_met is None else row.share_met,
                ]
            )
        return response
