"""Reads of tickets scoped to a user (STYLE.md: scope first, filter second)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tickets.models import Ticket

LIST_RELATED = [
    "contract",
    "contract__customer",
    "contract__tier",
    "product",
    "version",
    "reporter",
    "assignee",
]


def tickets_for_user(user) -> QuerySet[Ticket]:
    """The tickets `user` may see: staff all; a customer's users their organisation's; a
    partner's users (read only) those on contracts the partner sold; anyone else none."""
    tickets = Ticket.objects.select_related(*LIST_RELATED)
    if user is None or not user.is_authenticated or not user.is_active:
        return tickets.none()
    if user.is_staff:
        return tickets
    if user.customer_id:
        return tickets.filter(contract__customer_id=user.customer_id)
    if user.partner_id:
        return tickets.filter(contract__sold_by_id=user.partner_id)
    return tickets.none()


def ticket_get_for_user(user, pk) -> Ticket:
    """One ticket `user` may see, or 404 (also for tickets that exist but are not theirs)."""
    return get_object_or_404(tickets_for_user(user), pk=pk)
