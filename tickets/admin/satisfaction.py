"""Satisfaction ratings in the support desk: read only (only the rating customer writes), with
the average per month, tier and engineer above the list for support managers."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyAdmin
from core.roles import has_staff_permission
from tickets.models import Satisfaction
from tickets.selectors import satisfaction_averages

VIEW = "tickets.view_satisfaction"
AVERAGES = "tickets.view_satisfaction_averages"


@admin.register(Satisfaction)
class SatisfactionAdmin(ReadOnlyAdmin):
    change_list_template = "admin/tickets/satisfaction/change_list.html"
    list_display = [
        "ticket_link",
        "score_stars",
        "short_comment",
        "user",
        "engineer",
        "tier",
        "created_at",
    ]
    list_filter = ["score", "ticket__contract__tier", "created_at"]
    list_select_related = ["ticket__contract__tier", "ticket__assignee", "user"]
    search_fields = ["=ticket__id", "ticket__subject", "comment", "user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def has_module_permission(self, request):
        return has_staff_permission(request.user, VIEW)

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(request.user, VIEW)

    @admin.display(description=_("ticket"), ordering="ticket_id")
    def ticket_link(self, obj: Satisfaction):
        url = reverse("admin:tickets_ticket_change", args=[obj.ticket_id])
        return format_html('<a href="{}">#{} {}</a>', url, obj.ticket_id, obj.ticket.subject)

    @admin.display(description=_("score"), ordering="score")
    def score_stars(self, obj: Satisfaction):
        return format_html(
            '<span class="satisfaction-score" title="{}/5">{}{}</span>',
            obj.score, "★" * obj.score, "☆" * (5 - obj.score),
        )  # fmt: skip

    @admin.display(description=_("comment"))
    def short_comment(self, obj: Satisfaction):
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "") or "—"

    @admin.display(description=_("engineer"), ordering="ticket__assignee__email")
    def engineer(self, obj: Satisfaction):
        return obj.ticket.assignee or "—"

    @admin.display(description=_("tier"), ordering="ticket__contract__tier__name")
    def tier(self, obj: Satisfaction):
        return obj.ticket.contract.tier.name

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context and has_staff_permission(request.user, AVERAGES):
            # The averages follow the list's filters and search.
            context["averages"] = satisfaction_averages(context["cl"].queryset)
        return response
