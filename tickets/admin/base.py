"""The support desk's action forms (core.admin_actions runs them) and the pieces the ticket
pages share: the action page's ticket summary and the contract's time zone for typed times."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ActionForm, ServiceActionsMixin


class TicketActionsMixin(ServiceActionsMixin):
    """Service actions on a ticket or on something of a ticket (an agreement, a session): the
    action page says which ticket, and times typed into it are the contract's local times."""

    action_summary_template = "admin/tickets/_ticket_summary.html"

    def ticket_of(self, obj):
        return obj.ticket

    def action_time_zone(self, obj) -> str:
        return self.ticket_of(obj).contract.timezone

    def action_page_context(self, obj) -> dict:
        return {"ticket": self.ticket_of(obj)}


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalNoteForm(ActionForm):
    note = forms.CharField(
        label=_("Note for the history"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
