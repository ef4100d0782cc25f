"""The read side of the SLA sweep in the admin: clocks and the SLA report (the alerts' deliveries
are in the notification outbox, tickets.notifications.admin)."""

from datetime import UTC, datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyAdmin
from core.badges import badge, sla_badge
from core.moments import in_supported_range
from core.roles import has_staff_permission
from core.timefmt import local_time
from tickets.models import Clock, SlaState
from tickets.sla.report import sla_report


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
class ClockAdmin(ReadOnlyAdmin):
    """Read-only: clocks change through the ticket services and the sweep only."""

    list_display = ["ticket", "metric", "state_badge", "due_local", "flags", "started_at"]
    list_filter = ["state", "metric", BreachedFilter, "agreed"]
    list_select_related = ["ticket__contract"]
    search_fields = ["=ticket__id", "ticket__subject", "ticket__contract__number"]
    ordering = ["due_at"]

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj: Clock):
        return sla_badge(obj.state, obj.get_state_display())

    @admin.display(description=_("due (contract time)"), ordering="due_at")
    def due_local(self, obj: Clock):
        return local_time(obj.due_at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=_("flags"))
    def flags(self, obj: Clock):
        shown = []
        if obj.breached_at:
            shown.append(sla_badge(SlaState.BREACHED, _("breached")))
        elif obj.at_risk_flagged_at:
            shown.append(sla_badge(SlaState.AT_RISK, _("at risk")))
        if obj.agreed:
            shown.append(badge(_("agreed"), "grey"))
        return format_html_join(" ", "{}", ((b,) for b in shown)) or "—"


class Report(Clock):
    """The SLA report's entry on the admin index (admin/tickets/report/). A proxy without data of
    its own: the page is ReportAdmin.changelist_view."""

    class Meta:
        proxy = True
        verbose_name = _("SLA report")
        verbose_name_plural = _("SLA report")


def _month(value: str) -> datetime | None:
    """A month typed as YYYY-MM, inside the supported years (core.moments); None otherwise."""
    try:
        month = datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return None
    return month if in_supported_range(month) else None


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Targets met and breached per month, tier and priority, for support managers."""

    def has_module_permission(self, request):
        return has_staff_permission(request.user, "tickets.view_report")

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(request.user, "tickets.view_report")

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        since_text, until_text = request.GET.get("since", ""), request.GET.get("until", "")
        since, until = _month(since_text), _month(until_text)
        if until is not None:
            # "until 2026-03" includes March; the selector's bound is exclusive.
            until = until.replace(year=until.year + until.month // 12, month=until.month % 12 + 1)
        rows = sla_report(since=since, until=until)
        totals = {
            key: sum(getattr(row, key) for row in rows)
            for key in ("tickets", "targets", "met", "breached")
        }
        decided = totals["met"] + totals["breached"]
        totals["share_met"] = round(100 * totals["met"] / decided, 1) if decided else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("SLA report"),
            "opts": self.opts,
            "rows": rows,
            "totals": totals,
            "since": since_text if since else "",
            "until": until_text if until else "",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/tickets/report.html", context)
