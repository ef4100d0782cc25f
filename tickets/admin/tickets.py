"""The support manager's desk: the ticket list (breaches and at-risk clocks first) and the ticket
page (thread, clocks, history, attachments) with its service actions. New tickets that reach
support by phone, WeChat or e-mail are logged from the list's "Log a ticket" button."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Case, F, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy

from core.admin_actions import ReadOnlyAdmin
from core.badges import sla_badge
from core.files import private_file_response
from core.timefmt import local_time
from tickets.admin.base import TicketActionsMixin
from tickets.admin.inlines import (
    AgreementInline,
    AttachmentInline,
    ClockInline,
    RemoteSessionInline,
    TicketEventInline,
)
from tickets.admin.ticket_actions import TICKET_ACTIONS
from tickets.admin.ticket_log import TicketLogAdminMixin
from tickets.models import Agreement, AgreementStatus, Attachment, SlaState, Ticket
from tickets.sla.admin import BreachedClockFilter, OpenedMonthFilter

# --- list filter ------------------------------------------------------------------------------


class SlaStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return SlaState.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(sla_state=self.value())
        return queryset


# --- the ticket -------------------------------------------------------------------------------


@admin.register(Ticket)
class TicketAdmin(TicketLogAdminMixin, TicketActionsMixin, ReadOnlyAdmin):
    service_actions = TICKET_ACTIONS
    change_form_template = "admin/tickets/ticket/change_form.html"
    list_display = [
        "number",
        "subject",
        "customer",
        "priority",
        "status",
        "sla",
        "next_due",
        "assignee",
        "opened",
    ]
    list_display_links = ["number", "subject"]
    list_filter = [
        SlaStateFilter,
        ("contract__tier", admin.RelatedFieldListFilter),
        "priority",
        "status",
        ("contract", admin.RelatedOnlyFieldListFilter),
        ("assignee", admin.RelatedOnlyFieldListFilter),
        # The SLA report's links to the tickets behind a breached count.
        OpenedMonthFilter,
        BreachedClockFilter,
    ]
    list_select_related = ["contract__customer", "contract__tier", "assignee"]
    list_per_page = 50
    search_fields = [
        "subject",
        "contract__number",
        "contract__customer__name_en",
        "contract__customer__name_zh",
    ]
    search_help_text = gettext_lazy("Subject, ticket number (#123), contract number or customer.")
    # The manager's desk: breached tickets first, then those at risk, then by the nearest due
    # time; tickets without a running clock last.
    ordering = [
        Case(
            When(sla_state=SlaState.BREACHED, then=Value(0)),
            When(sla_state=SlaState.AT_RISK, then=Value(1)),
            default=Value(2),
        ).asc(),
        F("next_due_at").asc(nulls_last=True),
        "-opened_at",
    ]
    inlines = [
        ClockInline,
        AgreementInline,
        RemoteSessionInline,
        AttachmentInline,
        TicketEventInline,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "subject",
                    ("status", "priority", "original_priority"),
                    ("sla", "next_due"),
                    "assignee",
                ]
            },
        ),
        (
            gettext_lazy("Customer"),
            {
                "fields": [
                    ("contract", "customer", "tier"),
                    ("reporter", "logged_by", "channel"),
                    ("on_duty_name", "on_duty_phone"),
                ]
            },
        ),
        (
            gettext_lazy("Problem"),
            {
                "fields": [
                    ("product", "version"),
                    "description",
                    "environment",
                    ("unmodified_build", "unsupported_build", "fix_target"),
                ]
            },
        ),
        (
            gettext_lazy("Dates (contract's local time)"),
            {"fields": [("opened", "first_response", "restored", "resolved", "closed")]},
        ),
    ]
    readonly_fields = [
        "sla",
        "next_due",
        "customer",
        "tier",
        "opened",
        "first_response",
        "restored",
        "resolved",
        "closed",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "contract__customer",
                "contract__tier",
                "product",
                "version",
                "reporter",
                "logged_by",
                "assignee",
            )
        )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().lstrip("#")
        if number.isdigit():
            results |= queryset.filter(pk=int(number))
        return results, may_have_duplicates

    def ticket_of(self, obj):
        return obj

    action_summary_template = "admin/tickets/_ticket_summary.html"

    def action_context(self, obj) -> dict:
        return {
            "proposal": Agreement.objects.filter(
                ticket=obj, status=AgreementStatus.PROPOSED
            ).exists()
        }

    def get_urls(self):
        return [
            *self.log_urls(),  # before the change page's catch-all <path:object_id>/
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="tickets_ticket_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, object_id, attachment_id):
        """Attachments are private: staff download them through here."""
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None or not self.has_view_permission(request, ticket):
            raise Http404
        attachment = get_object_or_404(Attachment, pk=attachment_id, ticket=ticket)
        return private_file_response(attachment.file, filename=attachment.name)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["thread"] = (
                obj.messages.select_related("author")
                .prefetch_related("attachments")
                .order_by("created_at", "pk")
            )
            context["time_zone"] = obj.contract.timezone
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _local(self, obj, value):
        return local_time(value, obj.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("number"), ordering="pk")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=gettext_lazy("customer"), ordering="contract__customer__name_en")
    def customer(self, obj):
        return obj.contract.customer

    @admin.display(description=gettext_lazy("tier"))
    def tier(self, obj):
        return obj.contract.tier

    @admin.display(description=gettext_lazy("SLA"), ordering="sla_state")
    def sla(self, obj):
        return sla_badge(obj.sla_state, obj.get_sla_state_display())

    @admin.display(description=gettext_lazy("next due"), ordering="next_due_at")
    def next_due(self, obj):
        return self._local(obj, obj.next_due_at)

    @admin.display(description=gettext_lazy("opened"), ordering="opened_at")
    def opened(self, obj):
        return self._local(obj, obj.opened_at)

    @admin.display(description=gettext_lazy("first response"))
    def first_response(self, obj):
        return self._local(obj, obj.first_response_at)

    @admin.display(description=gettext_lazy("restored"))
    def restored(self, obj):
        return self._local(obj, obj.restored_at)

    @admin.display(description=gettext_lazy("resolved"))
    def resolved(self, obj):
        return self._local(obj, obj.resolved_at)

    @admin.display(description=gettext_lazy("closed"))
    def closed(self, obj):
        return self._local(obj, obj.closed_at)
