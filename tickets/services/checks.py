"""The state and input checks the ticket services share."""

from django.utils.translation import gettext as _

from tickets.models import Ticket, TicketStatus
from tickets.services.errors import TicketError


def require_text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise TicketError(message, code="required", field=field)
    return value


def require_open(ticket: Ticket) -> None:
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise TicketError(
            _("Ticket #%(number)s is %(status)s.")
            % {"number": ticket.pk, "status": ticket.get_status_display()},
            code="ticket_not_open",
        )


def require_not_closed(ticket: Ticket, message=None) -> None:
    if ticket.status == TicketStatus.CLOSED:
        raise TicketError(
            message or _("Ticket #%(number)s is closed.") % {"number": ticket.pk},
            code="ticket_closed",
        )


def require_responded(ticket: Ticket) -> None:
    if ticket.first_response_at is None:
        raise TicketError(
            _("Reply to the customer (or log a call) first: that is the first response."),
            code="no_first_response",
        )
