"""Who may do what on a ticket."""

from django.utils.translation import gettext as _

from contracts.models import SupportContact
from core.roles import is_support_staff
from tickets.models import Ticket
from tickets.services.errors import TicketError


def require_staff(user) -> None:
    if not is_support_staff(user):
        raise TicketError(_("Only support staff can do this."), code="forbidden")


def is_customer_of(user, ticket: Ticket) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.customer_id
        and user.customer_id == ticket.contract.customer_id
    )


def require_participant(user, ticket: Ticket) -> None:
    """Staff, or a user of the ticket's customer organisation (partners only read)."""
    if not is_support_staff(user) and not is_customer_of(user, ticket):
        raise TicketError(
            _("You cannot change ticket #%(number)s.") % {"number": ticket.pk}, code="forbidden"
        )


def is_named_contact(user, ticket: Ticket) -> bool:
    return SupportContact.objects.filter(contract_id=ticket.contract_id, user=user).exists()
