"""The ticket page's service actions: a small form each, calling one service."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_actions import ActionForm, ServiceAction
from core.errors import ServiceError
from core.roles import support_staff
from sla.models import Priority
from tickets.admin.base import (
    DowngradeForm,
    OptionalNoteForm,
    OptionalReasonForm,
    PublicReasonForm,
    ReasonForm,
)
from tickets.models import Agreement, AgreementStatus, Ticket, TicketStatus
from tickets.services import (
    agreement_accept,
    agreement_propose,
    agreement_withdraw,
    call_log,
    message_post,
    ticket_assign,
    ticket_close,
    ticket_downgrade,
    ticket_mark_unsupported_build,
    ticket_reopen,
    ticket_resolve,
    ticket_restore,
    ticket_resume,
    ticket_wait_for_customer,
)

# --- forms ------------------------------------------------------------------------------------


class ReplyForm(ActionForm):
    body = forms.CharField(
        label=gettext_lazy("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 8})
    )
    attachment = forms.FileField(label=gettext_lazy("Attachment"), required=False)


class NoteForm(ActionForm):
    body = forms.CharField(
        label=gettext_lazy("Internal note (not shown to the customer)"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CallForm(ActionForm):
    summary = forms.CharField(
        label=gettext_lazy("Summary of the call"), widget=forms.Textarea(attrs={"rows": 6})
    )


class ProposeForm(ActionForm):
    due_at = forms.DateTimeField(
        label=gettext_lazy("Proposed resolution time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("In the contract's time zone."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the customer)"),
        help_text=gettext_lazy("The customer reads it in the portal and the e-mail."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ConsentForm(ActionForm):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I hold the customer's written consent (e-mail or letter) to the proposed time."
        )
    )


class AssignForm(ActionForm):
    engineer = forms.ModelChoiceField(
        queryset=support_staff().order_by("email"),
        required=False,
        label=gettext_lazy("Engineer"),
        help_text=gettext_lazy("Empty to unassign."),
    )

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None:
            self.fields["engineer"].initial = obj.assignee_id


# --- actions ----------------------------------------------------------------------------------


def _open_proposal(ticket: Ticket) -> Agreement:
    agreement = Agreement.objects.filter(ticket=ticket, status=AgreementStatus.PROPOSED).first()
    if agreement is None:
        raise ServiceError(_("There is no open proposal on this ticket."), code="no_proposal")
    return agreement


def _reply(ticket, data, user, now):
    files = [data["attachment"]] if data.get("attachment") else []
    message_post(ticket=ticket, author=user, body=data["body"], attachments=files, now=now)
    return _("Reply posted.")


def _note(ticket, data, user, now):
    message_post(ticket=ticket, author=user, body=data["body"], public=False, now=now)
    return _("Internal note added.")


def _call(ticket, data, user, now):
    call_log(ticket=ticket, by=user, summary=data["summary"], now=now)
    return _("Call logged.")


def _assign(ticket, data, user, now):
    ticket_assign(ticket=ticket, engineer=data["engineer"], by=user, now=now)
    return _("Assignment saved.")


def _wait(ticket, data, user, now):
    ticket_wait_for_customer(
        ticket=ticket, by=user, reason=data["reason"], internal_note=data["internal_note"], now=now
    )
    return _("Waiting for the customer: restore and fix clocks paused.")


def _resume(ticket, data, user, now):
    ticket_resume(
        ticket=ticket, by=user, reason=data["reason"], internal_note=data["internal_note"], now=now
    )
    return _("Clocks resumed.")


def _restore(ticket, data, user, now):
    ticket_restore(
        ticket=ticket, by=user, note=data["note"], internal_note=data["internal_note"], now=now
    )
    return _("Marked restored.")


def _resolve(ticket, data, user, now):
    ticket_resolve(
        ticket=ticket, by=user, note=data["note"], internal_note=data["internal_note"], now=now
    )
    return _("Marked resolved: the clocks are stopped.")


def _downgrade(ticket, data, user, now):
    ticket = ticket_downgrade(
        ticket=ticket, by=user, reason=data["reason"], internal_note=data["internal_note"], now=now
    )
    return _("Downgraded to %(priority)s.") % {"priority": ticket.get_priority_display()}


def _propose(ticket, data, user, now):
    agreement_propose(ticket=ticket, by=user, due_at=data["due_at"], reason=data["reason"], now=now)
    return _("Resolution time proposed to the customer.")


def _consent(ticket, data, user, now):
    agreement_accept(agreement=_open_proposal(ticket), by=user, written_consent=True, now=now)
    return _("Written consent recorded: the agreed time applies.")


def _withdraw(ticket, data, user, now):
    agreement_withdraw(agreement=_open_proposal(ticket), by=user, reason=data["reason"], now=now)
    return _("Proposal withdrawn.")


def _unsupported(ticket, data, user, now):
    ticket_mark_unsupported_build(
        ticket=ticket, by=user, reason=data["reason"], internal_note=data["internal_note"], now=now
    )
    return _("Marked unsupported build: the clocks are stopped and the customer is told why.")


def _close(ticket, data, user, now):
    ticket_close(
        ticket=ticket, by=user, reason=data["reason"], internal_note=data["internal_note"], now=now
    )
    return _("Ticket closed.")


def _reopen(ticket, data, user, now):
    ticket_reopen(
        ticket=ticket, by=user, reason=data["reason"], internal_note=data["internal_note"], now=now
    )
    return _("Ticket reopened.")


def _is_open(ticket) -> bool:
    return ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def _is_worked(ticket) -> bool:
    return _is_open(ticket) and ticket.first_response_at is not None


TICKET_ACTIONS = {
    "reply": ServiceAction(
        gettext_lazy("Reply"), ReplyForm, _reply, lambda t, c: t.status != TicketStatus.CLOSED
    ),
    "note": ServiceAction(
        gettext_lazy("Internal note"),
        NoteForm,
        _note,
        lambda t, c: t.status != TicketStatus.CLOSED,
    ),
    "call": ServiceAction(
        gettext_lazy("Log a call"), CallForm, _call, lambda t, c: t.status != TicketStatus.CLOSED
    ),
    "assign": ServiceAction(
        gettext_lazy("Assign"), AssignForm, _assign, lambda t, c: t.status != TicketStatus.CLOSED
    ),
    "wait": ServiceAction(
        gettext_lazy("Wait for customer"),
        ReasonForm,
        _wait,
        lambda t, c: _is_open(t) and t.status != TicketStatus.WAITING,
        gettext_lazy("Restore and fix clocks pause until the customer replies."),
    ),
    "resume": ServiceAction(
        gettext_lazy("Resume"),
        OptionalReasonForm,
        _resume,
        lambda t, c: t.status == TicketStatus.WAITING,
    ),
    "restore": ServiceAction(
        gettext_lazy("Restored"),
        OptionalNoteForm,
        _restore,
        lambda t, c: _is_worked(t) and t.restored_at is None,
        gettext_lazy("Service is restored or a workaround is in place."),
    ),
    "resolve": ServiceAction(
        gettext_lazy("Resolved"),
        OptionalNoteForm,
        _resolve,
        lambda t, c: _is_worked(t),
        gettext_lazy("The permanent fix is delivered; every clock stops."),
    ),
    "downgrade": ServiceAction(
        gettext_lazy("Downgrade one level"),
        DowngradeForm,
        _downgrade,
        lambda t, c: _is_worked(t) and t.priority != Priority.P4,
        gettext_lazy(
            "The lower priority's targets apply to the clocks still running, counted from the "
            "original start; met and breached targets keep their outcome."
        ),
    ),
    "propose": ServiceAction(
        gettext_lazy("Propose a resolution time"),
        ProposeForm,
        _propose,
        lambda t, c: _is_worked(t) and not t.unsupported_build and not c["proposal"],
        gettext_lazy("It applies once a named contact accepts it in the portal."),
    ),
    "consent": ServiceAction(
        gettext_lazy("Record written consent"),
        ConsentForm,
        _consent,
        lambda t, c: bool(c["proposal"]),
    ),
    "withdraw": ServiceAction(
        gettext_lazy("Withdraw the proposal"),
        PublicReasonForm,
        _withdraw,
        lambda t, c: bool(c["proposal"]),
    ),
    "unsupported": ServiceAction(
        gettext_lazy("Unsupported build"),
        ReasonForm,
        _unsupported,
        lambda t, c: _is_open(t) and not t.unsupported_build,
        gettext_lazy("Stops every clock; the reason is sent to the customer."),
    ),
    "close": ServiceAction(
        gettext_lazy("Close"),
        OptionalReasonForm,
        _close,
        lambda t, c: t.status == TicketStatus.RESOLVED,
    ),
    "reopen": ServiceAction(
        gettext_lazy("Reopen"),
        ReasonForm,
        _reopen,
        lambda t, c: t.status == TicketStatus.RESOLVED,
    ),
}
