"""Reads of tickets scoped to a user (STYLE.md: scope first, filter second)."""

from datetime import UTC

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from contracts.selectors import contracts_for_user
from core.roles import has_staff_permission
from tickets.models import Attachment, Message, RemoteSession, Satisfaction, Ticket

LIST_RELATED = [
    "contract",
    "contract__customer",
    "contract__tier",
    "product",
    "version",
    "reporter",
    "assignee",
]


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _staff(user) -> bool:
    """Support staff whose role lets them read tickets, with their internal notes and files."""
    return has_staff_permission(user, "tickets.view_ticket")


def tickets_for_user(user) -> QuerySet[Ticket]:
    """The tickets `user` may see: staff all; a customer's users their organisation's; a
    partner's users (read only) those on contracts the partner sold, while it is authorised;
    anyone else none."""
    tickets = Ticket.objects.select_related(*LIST_RELATED)
    if not _signed_in(user):
        return tickets.none()
    if _staff(user):
        return tickets
    if user.customer_id:
        return tickets.filter(contract__customer_id=user.customer_id)
    if user.partner_id:
        return tickets.filter(contract__in=contracts_for_user(user).values("pk"))
    return tickets.none()


def ticket_get_for_user(user, pk) -> Ticket:
    """One ticket `user` may see, or 404 (also for tickets that exist but are not theirs)."""
    return get_object_or_404(tickets_for_user(user), pk=pk)


def messages_for_user(user, ticket: Ticket) -> QuerySet[Message]:
    """The thread of `ticket` as `user` sees it: staff every message, customers and partners
    the public ones (internal notes are support's own); nothing of a ticket they cannot see."""
    messages = Message.objects.filter(ticket=ticket)
    if not _signed_in(user):
        return messages.none()
    if _staff(user):
        return messages
    return messages.filter(ticket__in=tickets_for_user(user).values("pk"), public=True)


def attachments_for_user(user) -> QuerySet[Attachment]:
    """The files `user` may download: those of the tickets they see, on the ticket itself or
    on a message they see. An internal note's files are as internal as the note."""
    if not _signed_in(user):
        return Attachment.objects.none()
    if _staff(user):
        return Attachment.objects.all()
    return Attachment.objects.filter(
        Q(message__isnull=True) | Q(message__public=True),
        ticket__in=tickets_for_user(user).values("pk"),
    )


def attachment_get_for_user(user, pk, *, ticket_pk=None) -> Attachment:
    """One file `user` may download (of ticket `ticket_pk` when given), or 404: another
    organisation's file and an internal note's file look the same as a missing one."""
    attachments = attachments_for_user(user)
    if ticket_pk is not None:
        # ticket__pk, not ticket_id: only the former answers "none" to an id too big for the
        # database's integer (Django's IntegerField lookups) instead of raising.
        attachments = attachments.filter(ticket__pk=ticket_pk)
    return get_object_or_404(attachments, pk=pk)


def remote_sessions_for_user(user) -> QuerySet[RemoteSession]:
    """Remote sessions of the tickets `user` may see (customers see the engineer's next steps
    and follow-up: they are written for them)."""
    sessions = RemoteSession.objects.select_related("requested_by", "engineer")
    if not _signed_in(user):
        return sessions.none()
    if _staff(user):
        return sessions
    return sessions.filter(ticket__in=tickets_for_user(user).values("pk"))


def satisfaction_averages(ratings: QuerySet[Satisfaction]) -> dict:
    """Average score and count of some ratings overall, per month rated (UTC), per tier and
    per engineer the ticket is assigned to: four aggregate queries, whatever the volume."""
    numbers = {"average": Avg("score"), "count": Count("pk")}
    ratings = ratings.order_by()
    return {
        "overall": ratings.aggregate(**numbers),
        "by_month": list(
            ratings.annotate(month=TruncMonth("created_at", tzinfo=UTC))
            .values("month")
            .annotate(**numbers)
            .order_by("-month")
        ),
        "by_tier": list(
            ratings.values(tier=F("ticket__contract__tier__name"))
            .annotate(**numbers)
            .order_by("tier")
        ),
        "by_engineer": [
            {**row, "engineer": f"{row['first_name']} {row['last_name']}".strip() or row["email"]}
            for row in ratings.values(
                "ticket__assignee_id",
                first_name=F("ticket__assignee__first_name"),
                last_name=F("ticket__assignee__last_name"),
                email=F("ticket__assignee__email"),
            )
            .annotate(**numbers)
            .order_by("-average", "email")
        ],
    }
