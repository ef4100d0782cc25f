"""The support manager's desk: the ticket list (breaches and at-risk clocks first) and the ticket
page (thread, clocks, history, attachments) with its service actions. New tickets that reach
support by phone, WeChat or e-mail are logged from the list's "Log a ticket" button."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from accounts.names import shown_name
from core.admin_actions import ReadOnlyAdmin
from core.admin_list import DeskListMixin
from core.badges import sla_badge_of
from core.files import private_file_response
from core.pagination import CappedPaginator
from core.roles import has_staff_permission
from core.timefmt import local_time
from tickets.admin.base import TicketActionsMixin
from tickets.admin.page import desk_page
from tickets.admin.ticket_actions import TICKET_ACTIONS, ReplyForm
from tickets.admin.ticket_log import TicketLogAdminMixin
from tickets.canned import canned_reply_text
from tickets.models import Agreement, AgreementStatus, Attachment, CannedReply, SlaState, Ticket
from tickets.selectors import DeskView, desk_view_counts, desk_view_filter, ticket_search
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


class DeskViewFilter(admin.SimpleListFilter):
    """The desk's views (my tickets, unassigned, waiting on us, waiting on the customer); the
    list page also shows them as links with counts above the list."""

    title = gettext_lazy("view")
    parameter_name = "view"

    def lookups(self, request, model_admin):
        return DeskView.choices

    def queryset(self, request, queryset):
        return desk_view_filter(queryset, self.value() or "", request.user)


# The manager's desk: breached tickets first, then those at risk, then by the nearest due time;
# tickets without a running clock last (Ticket.sla_rank). The whole order is one index
# (ticket_desk_order), read in order: a page costs the same at 10k and at 1M tickets.
DESK_ORDERING = ["sla_rank", "next_due_at", "-opened_at", "-pk"]

# What the change page reads besides the list's columns.
CHANGE_PAGE_RELATED = [
    "contract__customer",
    "contract__tier",
    "product",
    "version",
    "reporter",
    "logged_by",
    "assignee",
]


# --- the ticket -------------------------------------------------------------------------------


@admin.register(Ticket)
class TicketAdmin(TicketLogAdminMixin, TicketActionsMixin, DeskListMixin, ReadOnlyAdmin):
    service_actions = TICKET_ACTIONS
    change_list_template = "admin/tickets/ticket/change_list.html"
    change_form_template = "admin/tickets/ticket/change_form.html"
    list_display = [
        "number",
        "subject",
        "customer",
        "priority",
        "status",
        "sla",
        "next_due",
        "engineer",
        "opened",
    ]
    list_display_links = ["number", "subject"]
    # Filter choices come from the small tables (tiers, staff), never from a DISTINCT over the
    # tickets; a contract is found by searching its number (or ?contract__id__exact=).
    list_filter = [
        DeskViewFilter,
        SlaStateFilter,
        ("contract__tier", admin.RelatedFieldListFilter),
        "priority",
        "status",
        # The SLA report's links to the tickets behind a breached count.
        OpenedMonthFilter,
        BreachedClockFilter,
        ("assignee", admin.RelatedFieldListFilter),
    ]
    # The columns: customer (through the contract, whose zone the times are shown in), engineer.
    list_select_related = ["contract__customer", "assignee"]
    # What the columns read: not the description, the environment nor a dozen dates per row.
    list_only = (
        "subject",
        "priority",
        "status",
        "sla_state",
        "next_due_at",
        "opened_at",
        "contract__timezone",
        "contract__customer__name_en",
        "contract__customer__name_zh",
        "assignee__first_name",
        "assignee__last_name",
        "assignee__email",
    )
    list_per_page = 50
    # Counted up to core.pagination.COUNT_CAP ("more than ..."), and never the whole table twice.
    paginator = CappedPaginator
    show_full_result_count = False
    search_fields = [
        "subject",
        "contract__number",
        "contract__customer__name_en",
        "contract__customer__name_zh",
    ]
    search_help_text = gettext_lazy(
        "Subject, description, messages, ticket number (#123), contract number or customer."
    )
    ordering = DESK_ORDERING

    def get_object(self, request, object_id, from_field=None):
        """ModelAdmin.get_object with the change page's joins: on the change page only (the
        list selects its columns' alone)."""
        queryset = self.get_queryset(request).select_related(*CHANGE_PAGE_RELATED)
        field = Ticket._meta.pk if from_field is None else Ticket._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Ticket.DoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
            return None

    def get_search_results(self, request, queryset, search_term):
        """The search the portal and the API use (tickets.selectors.ticket_search), internal
        notes included: sets of ids read by their own indexes, no join, no duplicates."""
        return ticket_search(queryset, search_term, internal=True), False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {**(extra_context or {}), "desk_views": self._desk_views(request)}
        )

    def _desk_views(self, request) -> list[dict]:
        counts = desk_view_counts(request.user)
        current = request.GET.get(DeskViewFilter.parameter_name, "")
        return [
            {
                "view": view,
                "label": label,
                "count": counts[view][0],
                "capped": counts[view][1],
                "current": view == current,
            }
            for view, label in DeskView.choices
        ]

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
        return sla_badge_of(obj.sla_state, SlaState)

    @admin.display(description=gettext_lazy("next due"), ordering="next_due_at")
    def next_due(self, obj):
        return self._local(obj, obj.next_due_at)

    @admin.display(description=gettext_lazy("engineer"), ordering="assignee")
    def engineer(self, obj):
        """The name, which is what a list is scanned for, the address on hover: a column of
        "name <address>" that cannot wrap pushed the list past a laptop's width."""
        user = obj.assignee
        if user is None:
            return None
        name = shown_name(user.first_name, user.last_name, "")  # the name alone, if any
        return format_html('<span title="{}">{}</span>', user.email, name) if name else user.email

    @admin.display(description=gettext_lazy("opened"), ordering="opened_at")
    def opened(self, obj):
        return self._local(obj, obj.opened_at)
