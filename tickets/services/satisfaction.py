"""Customers rate how their resolved ticket was handled (docs/spec.md "Satisfaction")."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from tickets.models import Satisfaction, Ticket, TicketStatus
from tickets.satisfaction import SCORES
from tickets.services.errors import TicketError
from tickets.services.locks import lock_ticket
from tickets.services.permissions import is_customer_of

RATED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def can_rate(user, ticket: Ticket) -> bool:
    """Users of the ticket's customer rate it once it is resolved (or closed)."""
    return is_customer_of(user, ticket) and ticket.status in RATED_STATUSES


@transaction.atomic
def satisfaction_rate(
    *, ticket: Ticket, user, score: int, comment: str = "", now: datetime
) -> Satisfaction:
    """Record `user`'s rating of `ticket` (1 to 5, optional comment). A user has one rating per
    ticket: rating again replaces the score and the comment (the first rating's time stays)."""
    ticket = lock_ticket(ticket)
    if not is_customer_of(user, ticket):
        raise TicketError(
            _("Only the customer's users can rate ticket #%(number)s.") % {"number": ticket.pk},
            code="forbidden",
        )
    if ticket.status not in RATED_STATUSES:
        raise TicketError(
            _("Ticket #%(number)s can be rated once it is resolved.") % {"number": ticket.pk},
            code="not_resolved",
        )
    if score not in SCORES:
        raise TicketError(_("Choose a score from 1 to 5."), code="invalid_score", field="score")
    rating, created = Satisfaction.objects.get_or_create(
        ticket=ticket,
        user=user,
        defaults={
            "score": score,
            "comment": comment.strip(),
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        rating.score, rating.comment, rating.updated_at = score, comment.strip(), now
        rating.save(update_fields=["score", "comment", "updated_at"])
    return rating
