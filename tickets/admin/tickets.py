"""The support manager's desk: the ticket list (breaches and at-risk clocks first) and the ticket
page (thread, clocks, history, attachments) with its service actions. New tickets that reach
support by phone, WeChat or e-mail are logged from the list's "Log a ticket" button."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.admin_actions import ReadOnlyAdmin
from core.badges import sla_badge
from core.files import private_file_response
from core.roles import has_staff_permission
from core.timefmt import local_time
from tickets.admin.base import TicketActionsMixin
from tickets.admin.page import desk_page
from tickets.admin.ticket_actions import TICKET_ACTIONS, ReplyForm
from tickets.admin.ticket_log import TicketLogAdminMixin
from tickets.canned import canned_reply_text
from tickets.models import Agreement, AgreementStatus, Attachment, CannedReply, SlaState, Ticket

# The relations the ticket page and its action pages show; the list joins only its own
# (list_select_related), so the change page's joins stay on the change page (issue 13).
PAGE_RELATIONS = (
    "contract__customer",
    "contract__tier",
    "product",
    "version",
    "reporter",
    "logged_by",
    "assignee",
)

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

    def get_object(self, request, object_id, from_field=None):
        """One ticket with what its page shows (the change page, its actions, its files)."""
        queryset = self.get_queryset(request).select_related(*PAGE_RELATIONS)
        try:
            return queryset.get(pk=int(object_id))
        except (Ticket.DoesNotExist, ValueError, TypeError, OverflowError):
            return None

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
        proposal = getattr(obj, "_open_proposal", None)
        if proposal is None:
            proposal = Agreement.objects.filter(
                ticket=obj, status=AgreementStatus.PROPOSED
            ).exists()
        return {"proposal": proposal}

    def get_urls(self):
        return [
            *self.log_urls(),  # before the change page's catch-all <path:object_id>/
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="tickets_ticket_attachment",
            ),
            path(
                "<path:object_id>/canned/<int:reply_id>/",
                self.admin_site.admin_view(self.canned_view),
                name="tickets_ticket_canned",
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

    def canned_view(self, request, object_id, reply_id):
        """A canned reply's text filled in for this ticket (the reply box inserts it)."""
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None or not self.has_view_permission(request, ticket):
            raise Http404
        if not has_staff_permission(request.user, "tickets.view_cannedreply"):
            raise PermissionDenied
        reply = get_object_or_404(CannedReply, pk=reply_id, active=True)
        return JsonResponse(
            {"text": canned_reply_text(reply, ticket, engineer=request.user)},
            json_dumps_params={"ensure_ascii": False},
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The ticket page: plain read-only sections (thread, clocks, history, files, agreements,
        sessions) and the one form an engineer submits here, the reply; every other change is
        an action of its own page. Nothing is ever saved through this view."""
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, ticket):
            raise PermissionDenied
        page = desk_page(ticket, now=timezone.now())
        ticket._open_proposal = page.proposal
        actions = self.available_actions(request, ticket)
        reply = next((a for a in actions if a["key"] == "reply"), None)
        canned = []
        if reply and has_staff_permission(request.user, "tickets.view_cannedreply"):
            canned = [
                {
                    "title": title,
                    "url": reverse("admin:tickets_ticket_canned", args=[ticket.pk, pk]),
                }
                for pk, title in CannedReply.objects.filter(active=True).values_list("pk", "title")
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": f"#{ticket.pk} {ticket.subject}",
            "subtitle": None,
            "original": ticket,
            "ticket": ticket,
            "page": page,
            "time_zone": page.zone,
            "service_actions": [a for a in actions if a["key"] != "reply"],
            "reply": reply,
            "reply_form": ReplyForm(obj=ticket) if reply else None,
            "canned": canned,
            "has_view_permission": True,
            "is_popup": False,
            # The page is a workplace: its width goes to the thread and the facts, and the
            # sidebar's list of every model (a third of the page's rendering) stays on the
            # lists; the breadcrumbs lead back.
            "is_nav_sidebar_enabled": False,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.change_form_template, context)

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
