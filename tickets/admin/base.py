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


# What the customer reads and what stays with support, side by side on every staff form that
# takes a reason or a note (issue 11, item 9): the message goes to the ticket's history, the
# portal, the API and the customer's e-mail; the internal note only to the desk's history.
def _message_field(*, required: bool, label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Message to the customer"),
        required=required,
        help_text=_("Shown to the customer: in the ticket's history, the portal and the e-mail."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "to-customer"}),
    )


def _internal_note_field() -> forms.CharField:
    return forms.CharField(
        label=_("Internal note (support staff only)"),
        required=False,
        help_text=_("Never shown to the customer: kept in the desk's history only."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "internal"}),
    )


class ReasonForm(ActionForm):
    reason = _message_field(required=True)
    internal_note = _internal_note_field()


class OptionalReasonForm(ActionForm):
    reason = _message_field(required=False)
    internal_note = _internal_note_field()


class OptionalNoteForm(ActionForm):
    note = _message_field(required=False)
    internal_note = _internal_note_field()


class DowngradeForm(ActionForm):
    """The reason of a downgrade may be told to the customer, kept internal, or both."""

    reason = _message_field(required=False)
    internal_note = _internal_note_field()

    def clean(self):
        data = super().clean()
        if not (data.get("reason", "").strip() or data.get("internal_note", "").strip()):
            self.add_error(
                "reason",
                forms.ValidationError(
                    _("Say why the priority is lowered, to the customer or internally."),
                    code="required",
                ),
            )
        return data


class PublicReasonForm(ActionForm):
    """A reason that is the customer's to read only (sessions, proposals): said so."""

    reason = _message_field(required=False)
