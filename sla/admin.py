from django.contrib import admin, messages
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sla.models import CalendarDay, Channel, HolidayCalendar, Target, Tier
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
        labels = dict(Channel.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.channels)

    def get_fields(self, request, obj=None):
        """Who may only view a tier reads its channels by name, not as the stored JSON."""
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields = ["channels_display" if f == "channels" else f for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return ["channels_display"]
        return []

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
