"""Read-only inlines of the ticket page: clocks, history, attachments, agreements, sessions."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from core.badges import sla_badge
from core.timefmt import local_time
from sla.models import Metric, target_text
from tickets import history
from tickets.models import (
    Agreement,
    Attachment,
    Clock,
    RemoteSession,
    SlaState,
    TicketEvent,
)
from tickets.sla.summary import clock_summary

# --- inlines ----------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Facts of the ticket: shown, never edited or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("tickets.view_ticket") or request.user.has_perm(
            "tickets.change_ticket"
        )


class ClockInline(ReadOnlyInline):
    model = Clock
    verbose_name_plural = gettext_lazy("SLA clocks (contract's local time)")
    fields = [
        "metric",
        "state_badge",
        "target",
        "started",
        "due",
        "at_risk",
        "met",
        "breached",
        "paused_total",
        "agreed",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        order = Case(
            *(When(metric=m, then=Value(i)) for i, m in enumerate(Metric.values)),
            output_field=IntegerField(),
        )
        return super().get_queryset(request).select_related("ticket__contract").order_by(order)

    def _local(self, obj, value):
        return local_time(value, obj.ticket.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("state"))
    def state_badge(self, obj):
        # As the ticket's badge reads it: a running clock past 75 % is at risk.
        state = clock_summary(obj, timezone.now())
        return sla_badge(state, SlaState(state).label)

    @admin.display(description=gettext_lazy("target"))
    def target(self, obj):
        if obj.target_amount is None:
            return "—"
        return target_text(obj.target_amount, obj.target_unit)

    @admin.display(description=gettext_lazy("clock start"))
    def started(self, obj):
        return self._local(obj, obj.started_at)

    @admin.display(description=gettext_lazy("due"))
    def due(self, obj):
        return self._local(obj, obj.due_at)

    @admin.display(description=gettext_lazy("at risk from"))
    def at_risk(self, obj):
        return self._local(obj, obj.at_risk_at)

    @admin.display(description=gettext_lazy("met"))
    def met(self, obj):
        return self._local(obj, obj.met_at)

    @admin.display(description=gettext_lazy("breached"))
    def breached(self, obj):
        return self._local(obj, obj.breached_at)


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    verbose_name_plural = gettext_lazy("History (never edited)")
    fields = ["when", "actor", "field", "before_value", "after_value", "why", "public"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "ticket__contract")

    @admin.display(description=gettext_lazy("when"))
    def when(self, obj):
        return local_time(obj.at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("before"))
    def before_value(self, obj):
        return history.value_text(obj.field, obj.before) or "—"

    @admin.display(description=gettext_lazy("after"))
    def after_value(self, obj):
        return history.value_text(obj.field, obj.after) or "—"

    @admin.display(description=gettext_lazy("why"))
    def why(self, obj):
        return obj.reason_text


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["download", "file_size", "content_type", "uploaded_by", "uploaded"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "ticket__contract")

    @admin.display(description=gettext_lazy("file"))
    def download(self, obj):
        url = reverse("admin:tickets_ticket_attachment", args=[obj.ticket_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)

    @admin.display(description=gettext_lazy("size"))
    def file_size(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description=gettext_lazy("uploaded"))
    def uploaded(self, obj):
        return local_time(obj.uploaded_at, obj.ticket.contract.timezone) or "—"


class AgreementInline(ReadOnlyInline):
    model = Agreement
    fields = ["due", "status", "reason", "proposed_by", "decided_by", "decided", "written_consent"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("proposed_by", "decided_by", "ticket__contract")
        )

    @admin.display(description=gettext_lazy("proposed resolution time"))
    def due(self, obj):
        return local_time(obj.due_at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("decided"))
    def decided(self, obj):
        return local_time(obj.decided_at, obj.ticket.contract.timezone) or "—"


class RemoteSessionInline(ReadOnlyInline):
    model = RemoteSession
    fields = [
        "starts",
        "duration_minutes",
        "status",
        "project_context",
        "requested_by",
        "engineer",
        "next_steps",
        "follow_up",
    ]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("requested_by", "engineer", "ticket__contract")
        )

    @admin.display(description=gettext_lazy("starts"))
    def starts(self, obj):
        return local_time(obj.starts_at, obj.ticket.contract.timezone) or "—"
