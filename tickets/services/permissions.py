"""Who may do what on a ticket."""

from django.utils.translation import gettext as _

from contracts.models import SupportContact
from core.roles import has_staff_permission
from tickets.models import Ticket
from tickets.services.errors import TicketError


def is_desk_staff(user) -> bool:
    """Support staff whose role lets them work on tickets (engineers and managers)."""
    return has_staff_permission(user, "tickets.change_ticket")


def require_staff(user, permission: str = "tickets.change_ticket") -> None:
    """Support staff whose role holds `permission` (core.roles), or a "forbidden" refusal."""
    if not has_staff_permission(user, permission):
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
    if not is_desk_staff(user) and not is_customer_of(user, ticket):
        raise TicketError(
            _("You cannot change ticket #%(number)s.") % {"number": ticket.pk}, code="forbidden"
        )


def is_named_contact(user, ticket: Ticket) -> bool:
    return SupportContact.objects.filter(contract_id=ticket.contract_id, user=user).exists()
