from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.db.models import Count, Max, Min
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sla.alerts import alerts_retry
from sla.models import (
    AlertKind,
    CalendarDay,
    Clock,
    ClockAlert,
    ClockState,
    HolidayCalendar,
    Target,
    Tier,
)
from sla.selectors import sla_report
from sla.services import (
    SlaError,
    calendar_import_year,
    calendars_missing_year,
    reference_data_changed,
)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "hours_display", "channels_display", "max_named_contacts"]
    search_fields = ["code", "name"]
    list_filter = ["max_named_contacts"]

    @admin.display(description=_("service hours"))
    def hours_display(self, obj: Tier):
        return obj.hours or _("00:00-24:00 every day")

    @admin.display(description=_("channels"))
    def channels_display(self, obj: Tier):
        return ", ".join(obj.channels)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "hours" in form.changed_data:
            reference_data_changed(tier=obj)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["tier", "priority", "metric", "amount", "unit", "updated_at"]
    list_editable = ["amount", "unit"]
    list_filter = ["tier", "priority", "metric"]
    list_select_related = ["tier"]
    search_fields = ["tier__code", "priority", "metric"]
    ordering = ["tier__code", "priority", "metric"]

    def has_add_permission(self, request):
        # The matrix is complete from the start (metric x priority x tier); cells are edited,
        # an empty amount meaning "no target".
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Open tickets' clocks follow the edited cell (also from the list's editable columns).
        super().save_model(request, obj, form, change)
        reference_data_changed(tier=obj.tier)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ["date", "kind", "name"]
    ordering = ["-date"]


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "day_count", "first_day", "last_day", "next_year"]
    search_fields = ["code", "name", "country"]
    list_filter = ["country"]
    inlines = [CalendarDayInline]
    actions = ["import_next_year", "import_this_year"]

    def save_related(self, request, form, formsets, change):
        # The days are saved with the inline formset, after the calendar itself.
        super().save_related(request, form, formsets, change)
        if change:
            reference_data_changed(calendar=form.instance)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                day_count=Count("days"), first_day=Min("days__date"), last_day=Max("days__date")
            )
        )

    @admin.display(description=_("days"), ordering="day_count")
    def day_count(self, obj):
        return obj.day_count

    @admin.display(description=_("from"), ordering="first_day")
    def first_day(self, obj):
        return obj.first_day

    @admin.display(description=_("until"), ordering="last_day")
    def last_day(self, obj):
        return obj.last_day

    @admin.display(description=_("next year"))
    def next_year(self, obj):
        if not obj.country:
            return "—"
        year = timezone.now().year + 1
        if obj.last_day and obj.last_day.year >= year:
            return format_html('<span class="sla-badge sla-met">{}</span>', _("loaded"))
        return format_html('<span class="sla-badge sla-breached">{}</span>', _("missing"))

    def changelist_view(self, request, extra_context=None):
        year = timezone.now().year + 1
        missing = calendars_missing_year(year=year)
        if missing:
            self.message_user(
                request,
                _(
                    "No holiday data for %(year)s in: %(codes)s. Import it (action below) once the "
                    "official schedule is published, or SLA due times next year ignore holidays."
                )
                % {"year": year, "codes": ", ".join(c.code for c in missing)},
                level=messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def _import(self, request, queryset, year: int):
        done = 0
        for calendar in queryset:
            try:
                calendar_import_year(calendar=calendar, year=year)
                done += 1
            except SlaError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext(
                    "Imported %(year)s into %(count)d calendar.",
                    "Imported %(year)s into %(count)d calendars.",
                    done,
                )
                % {"year": year, "count": done},
            )

    @admin.action(description=_("Import next year from the holidays library"))
    def import_next_year(self, request, queryset):
        self._import(request, queryset, timezone.now().year + 1)

    @admin.action(description=_("Re-import this year from the holidays library"))
    def import_this_year(self, request, queryset):
        self._import(request, queryset, timezone.now().year)


# --- SLA clocks, alerts and the report (the read side of the beat sweep) ------------------------


def _badge(state: str, label) -> str:
    return format_html('<span class="sla-badge sla-{}">{}</span>', state, label)


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
class ClockAdmin(admin.ModelAdmin):
    """Read-only: clocks change through the ticket services and the sweep only."""

    list_display = ["ticket", "metric", "state_badge", "due_local", "flags", "started_at"]
    list_filter = ["state", "metric", BreachedFilter, "agreed"]
    list_select_related = ["ticket__contract"]
    search_fields = ["=ticket__id", "ticket__subject", "ticket__contract__number"]
    ordering = ["due_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj: Clock):
        return _badge(obj.state, obj.get_state_display())

    @admin.display(description=_("due (contract time)"), ordering="due_at")
    def due_local(self, obj: Clock):
        if obj.due_at is None:
            return "—"
        zone = obj.ticket.contract.timezone
        return f"{obj.due_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"

    @admin.display(description=_("flags"))
    def flags(self, obj: Clock):
        shown = []
        if obj.breached_at:
            shown.append((ClockState.BREACHED, _("breached")))
        elif obj.at_risk_flagged_at:
            shown.append((AlertKind.AT_RISK, _("at risk")))
        if obj.agreed:
            shown.append((ClockState.PAUSED, _("agreed")))
        return format_html_join(" ", '<span class="sla-badge sla-{}">{}</span>', shown) or "—"


SentFilter = moment_set_filter("sent_at", _("sent"), _("sent"), _("waiting"))


@admin.register(ClockAlert)
class ClockAlertAdmin(admin.ModelAdmin):
    """The alert outbox, read-only, with "retry now" for alerts waiting after a mail failure."""

    list_display = [
        "clock",
        "kind_badge",
        "created_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "error",
    ]
    list_filter = ["kind", SentFilter]
    list_select_related = ["clock"]
    search_fields = ["=clock__ticket__id", "last_error"]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kind"), ordering="kind")
    def kind_badge(self, obj: ClockAlert):
        return _badge(obj.kind, obj.get_kind_display())

    @admin.display(description=_("last error"))
    def error(self, obj: ClockAlert):
        return obj.last_error[:120] or "—"

    @admin.action(description=_("Retry sending now"))
    def retry_now(self, request, queryset):
        count = alerts_retry(
            alert_ids=list(queryset.values_list("pk", flat=True)), now=timezone.now()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d alert will be sent on the next run.",
                "%(count)d alerts will be sent on the next run.",
                count,
            )
            % {"count": count},
        )


class Report(Clock):
    """The SLA report's entry on the admin index (admin/sla/report/). A proxy without data of
    its own: the page is ReportAdmin.changelist_view."""

    class Meta:
        proxy = True
        verbose_name = _("SLA report")
        verbose_name_plural = _("SLA report")


def _month(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return None


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Targets met and breached per month, tier and priority; every staff member may read it."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request, extra_context=None):
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
        return TemplateResponse(request, "admin/sla/report.html", context)
