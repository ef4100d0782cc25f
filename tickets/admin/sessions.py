"""Agreed resolution times and remote sessions in the support desk."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_actions import ActionForm, ReadOnlyAdmin, ServiceAction
from core.timefmt import local_time
from tickets.admin.base import PublicReasonForm, TicketActionsMixin
from tickets.admin.ticket_actions import ConsentForm
from tickets.models import Agreement, AgreementStatus, RemoteSession, SessionStatus
from tickets.services import (
    agreement_accept,
    agreement_decline,
    agreement_withdraw,
    remote_session_cancel,
    remote_session_record,
)


def _proposed(agreement, context) -> bool:
    return agreement.status == AgreementStatus.PROPOSED


def _consent(agreement, data, user, now):
    agreement_accept(agreement=agreement, by=user, written_consent=True, now=now)
    return _("Written consent recorded: the agreed time applies.")


def _decline(agreement, data, user, now):
    agreement_decline(agreement=agreement, by=user, reason=data["reason"], now=now)
    return _("The customer's refusal is recorded.")


def _withdraw(agreement, data, user, now):
    agreement_withdraw(agreement=agreement, by=user, reason=data["reason"], now=now)
    return _("Proposal withdrawn.")


@admin.register(Agreement)
class AgreementAdmin(TicketActionsMixin, ReadOnlyAdmin):
    service_actions = {
        "consent": ServiceAction(
            gettext_lazy("Record written consent"), ConsentForm, _consent, _proposed
        ),
        "decline": ServiceAction(
            gettext_lazy("Record the customer's refusal"), PublicReasonForm, _decline, _proposed
        ),
        "withdraw": ServiceAction(gettext_lazy("Withdraw"), PublicReasonForm, _withdraw, _proposed),
    }
    list_display = [
        "ticket",
        "customer",
        "due",
        "status",
        "proposed_by",
        "proposed",
        "decided_by",
        "written_consent",
    ]
    list_filter = ["status", "written_consent"]
    list_select_related = ["ticket__contract__customer", "proposed_by", "decided_by"]
    search_fields = ["ticket__subject", "ticket__contract__number", "reason"]
    fields = [
        "ticket",
        "due",
        "reason",
        "status",
        "proposed_by",
        "proposed",
        "decided_by",
        "decided",
        "written_consent",
    ]
    readonly_fields = ["due", "proposed", "decided"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("ticket__contract__customer", "proposed_by", "decided_by")
        )

    @admin.display(description=gettext_lazy("customer"))
    def customer(self, obj):
        return obj.ticket.contract.customer

    @admin.display(description=gettext_lazy("proposed resolution time"), ordering="due_at")
    def due(self, obj):
        return local_time(obj.due_at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("proposed"), ordering="proposed_at")
    def proposed(self, obj):
        return local_time(obj.proposed_at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("decided"))
    def decided(self, obj):
        return local_time(obj.decided_at, obj.ticket.contract.timezone) or "—"


class RecordForm(ActionForm):
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"), widget=forms.Textarea(attrs={"rows": 5})
    )
    follow_up = forms.CharField(
        label=gettext_lazy("Planned follow-up"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _requested(session, context) -> bool:
    return session.status == SessionStatus.REQUESTED


def _record(session, data, user, now):
    remote_session_record(
        session=session,
        by=user,
        next_steps=data["next_steps"],
        follow_up=data["follow_up"],
        now=now,
    )
    return _("Session recorded; the customer sees the next steps on the ticket.")


def _cancel(session, data, user, now):
    remote_session_cancel(session=session, by=user, reason=data["reason"], now=now)
    return _("Session cancelled.")


@admin.register(RemoteSession)
class RemoteSessionAdmin(TicketActionsMixin, ReadOnlyAdmin):
    service_actions = {
        "record": ServiceAction(gettext_lazy("Record next steps"), RecordForm, _record, _requested),
        "cancel": ServiceAction(gettext_lazy("Cancel"), PublicReasonForm, _cancel, _requested),
    }
    list_display = [
        "ticket",
        "customer",
        "starts",
        "duration_minutes",
        "status",
        "requested_by",
        "engineer",
    ]
    list_filter = ["status"]
    list_select_related = ["ticket__contract__customer", "requested_by", "engineer"]
    search_fields = ["ticket__subject", "ticket__contract__number", "project_context"]
    ordering = ["-starts_at"]
    fields = [
        "ticket",
        "starts",
        "duration_minutes",
        "status",
        "project_context",
        "requested_by",
        "engineer",
        "next_steps",
        "follow_up",
        "recorded",
    ]
    readonly_fields = ["starts", "recorded"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("ticket__contract__customer", "requested_by", "engineer")
        )

    @admin.display(description=gettext_lazy("customer"))
    def customer(self, obj):
        return obj.ticket.contract.customer

    @admin.display(description=gettext_lazy("starts"), ordering="starts_at")
    def starts(self, obj):
        return local_time(obj.starts_at, obj.ticket.contract.timezone) or "—"

    @admin.display(description=gettext_lazy("recorded"))
    def recorded(self, obj):
        return local_time(obj.recorded_at, obj.ticket.contract.timezone) or "—"
