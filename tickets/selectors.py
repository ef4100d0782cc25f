"""Reads of tickets scoped to a user (STYLE.md: scope first, filter second)."""

from datetime import UTC

from django.db import connections, models
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.names import shown_name
from contracts.models import Contract
from contracts.selectors import contracts_for_user
from core.pagination import capped_counts
from core.roles import has_staff_permission
from tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Message,
    RemoteSession,
    Satisfaction,
    Ticket,
    TicketStatus,
)

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


def ticket_search(tickets: QuerySet[Ticket], term: str, *, internal: bool) -> QuerySet[Ticket]:
    """Narrow `tickets` to those whose subject, description or a message contains `term` (any
    case, Chinese or English, any length), whose contract number or customer name does, or
    whose number it is ("#123" or "123"). Internal notes count only when `internal` (staff):
    a customer never finds a ticket by words support wrote for itself.

    Every condition is one an index answers (trigram GIN indexes on PostgreSQL, tickets 0004;
    a scan on SQLite), so PostgreSQL chooses per term: a rare term reads the indexes (one
    BitmapOr) and sorts its few matches, a common one walks the list's own order and stops at
    the page. No join: a ticket matching twice is listed once. Terms under three characters
    cannot use a trigram index: they are found all the same, by a scan, but two Chinese
    characters in messages by an index of their own (_Pairs). The messages' condition takes
    one of three forms, chosen by the newest matching messages (read first, at most
    MESSAGE_IDS_INLINE + 1): see _in_messages."""
    term = term.strip()
    if not term:
        return tickets
    in_messages = Message.objects.filter(body__icontains=term)
    if _pair(term) and connections[tickets.db].vendor == "postgresql":
        # The same messages, found by an index (see _Pairs); LIKE first, so a row that fails
        # it is never rewritten.
        in_messages = in_messages.alias(pairs=_Pairs("body")).filter(
            pairs__contains=term[0] * 2 + term[1] * 2
        )
    if not internal:
        in_messages = in_messages.filter(public=True)
    # Contracts are few: their ids, read first, are a plain list the ticket index takes.
    contracts = list(
        Contract.objects.filter(
            Q(number__icontains=term)
            | Q(customer__name_en__icontains=term)
            | Q(customer__name_zh__icontains=term)
        ).values_list("pk", flat=True)
    )
    query = (
        Q(subject__icontains=term)
        | Q(description__icontains=term)
        | _in_messages(in_messages)
        | Q(contract_id__in=contracts)
    )
    number = term.lstrip("#")
    if number.isdigit() and len(number) <= TICKET_NUMBER_DIGITS:
        query |= Q(pk=int(number))
    return tickets.filter(query)


def _in_messages(in_messages: QuerySet[Message]) -> Q:
    """The condition "one of `in_messages` is the ticket's", in the form whose cost stays bounded.

    The newest matches are read first (at most MESSAGE_IDS_INLINE + 1, newest first: a
    common term stops the scan early). Few: their ticket ids, a plain list the primary key's
    index takes (the rare term's BitmapOr). Many and dense (at least one message in
    DENSE_SPAN of the newest ones matches): a test per ticket (EXISTS on the messages'
    ticket index), so the list walks its order and stops at the page, its count at the cap,
    whatever the size of the tables. Many but sparse: a hashed subquery, read once (a test per
    ticket would walk the whole list to fill a page)."""
    newest = list(
        in_messages.order_by("-pk").values_list("pk", "ticket_id")[: MESSAGE_IDS_INLINE + 1]
    )
    if len(newest) <= MESSAGE_IDS_INLINE:
        return Q(pk__in=sorted({ticket_id for _, ticket_id in newest}))
    span = newest[0][0] - newest[-1][0] + 1
    if span <= len(newest) * DENSE_SPAN:
        return Q(_RowByRowExists(in_messages.filter(ticket=OuterRef("pk"))))
    return Q(pk__in=in_messages.order_by().values("ticket_id"))


def _pair(term: str) -> bool:
    """Two letters without ASCII and without case (two Chinese characters): too short for a
    trigram, found in messages by the index of _Pairs on PostgreSQL."""
    return len(term) == 2 and all(
        not c.isascii() and c.isalnum() and c.upper() == c.lower() == c for c in term
    )


class _Pairs(Func):
    """UPPER(column) with every run of ASCII turned into a space and every other character
    doubled, the expression of the trigram index message_body_pairs_trgm (tickets 0009): a
    two-character "XY" is in the column if and only if "XXYY" is in this, which has trigrams."""

    template = (
        r"REGEXP_REPLACE(REGEXP_REPLACE(UPPER(%(expressions)s), '[\x01-\x7f]+', ' ', 'g'), "
        r"'([^ ])', '\1\1', 'g')"
    )
    output_field = TextField()


class _RowByRowExists(Exists):
    """EXISTS tested row by row. PostgreSQL would otherwise plan an EXISTS under an OR as a
    hashed subquery when it expects to test many rows (it does not count the LIMIT), and that
    reads every matching message before the first row; OFFSET 0 keeps it a per-row test."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context
        )


# Message matches up to this many are inlined as a list of ticket ids (see _in_messages).
MESSAGE_IDS_INLINE = 500

# More matches than that are tested per ticket when at least one message in this many of the
# newest matches (a term in 10% of the messages fills a page of 50 within about 500 tickets,
# the capped count of 1,000 within about 10,000); sparser ones are read once, hashed.
DENSE_SPAN = 10

# Longer digit strings are not ticket numbers (and would overflow the database's integer).
TICKET_NUMBER_DIGITS = 12


def ticket_get_for_user(user, pk) -> Ticket:
    """One ticket `user` may see, or 404 (also for tickets that exist but are not theirs)."""
    return get_object_or_404(tickets_for_user(user), pk=pk)


def _customer_sees(user, ticket: Ticket) -> bool:
    """Whether `ticket` is one of the user's organisation's, told from the ticket in hand when
    its contract came with it (as ticket_get_for_user reads it): tickets_for_user's rule for a
    customer's user without its subquery. False when it cannot tell from the ticket (a partner's
    user, a contract not loaded): the caller then scopes in SQL."""
    return bool(
        user.customer_id
        and Ticket.contract.is_cached(ticket)
        and ticket.contract.customer_id == user.customer_id
    )


def messages_for_user(user, ticket: Ticket) -> QuerySet[Message]:
    """The thread of `ticket` as `user` sees it: staff every message, customers and partners
    the public ones (internal notes are support's own); nothing of a ticket they cannot see."""
    messages = Message.objects.filter(ticket=ticket)
    if not _signed_in(user):
        return messages.none()
    if _staff(user):
        return messages
    if _customer_sees(user, ticket):
        return messages.filter(public=True)
    return messages.filter(ticket__in=tickets_for_user(user).values("pk"), public=True)


def attachments_for_user(user, *, ticket: Ticket | None = None) -> QuerySet[Attachment]:
    """The files `user` may download (of `ticket` when given): those of the tickets they see, on
    the ticket itself or on a message they see. An internal note's files are as internal as the
    note."""
    files = Attachment.objects.all() if ticket is None else Attachment.objects.filter(ticket=ticket)
    if not _signed_in(user):
        return files.none()
    if _staff(user):
        return files
    files = files.filter(Q(message__isnull=True) | Q(message__public=True))
    if ticket is not None and _customer_sees(user, ticket):
        return files
    return files.filter(ticket__in=tickets_for_user(user).values("pk"))


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
            {**row, "engineer": shown_name(row["first_name"], row["last_name"], row["email"])}
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


# --- the desk's views ---------------------------------------------------------------------------


class DeskView(models.TextChoices):
    """The views at the top of the desk's ticket list. Each is of open tickets only."""

    MINE = "mine", _("My tickets")
    UNASSIGNED = "unassigned", _("Unassigned")
    WITH_US = "with_us", _("Waiting on us")
    WITH_CUSTOMER = "with_customer", _("Waiting on the customer")


# Statuses in which the next move is support's: new, being worked on (a customer's reply to a
# wait puts the ticket back in progress), restored with the fix still to come.
WITH_US_STATUSES = [s for s in OPEN_STATUSES if s != TicketStatus.WAITING]

# A view's count reads at most this many index entries; more shows as "100+".
VIEW_COUNT_CAP = 100


def desk_view_filter(tickets: QuerySet[Ticket], view: str, user) -> QuerySet[Ticket]:
    """Narrow the desk's `tickets` to `view` as `user` (the engineer) sees it; an unknown view
    narrows nothing. Each view reads the (assignee, status) or the status index."""
    if view == DeskView.MINE:
        return tickets.filter(assignee_id=user.pk, status__in=OPEN_STATUSES)
    if view == DeskView.UNASSIGNED:
        return tickets.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    if view == DeskView.WITH_US:
        return tickets.filter(status__in=WITH_US_STATUSES)
    if view == DeskView.WITH_CUSTOMER:
        return tickets.filter(status=TicketStatus.WAITING)
    return tickets


def desk_view_counts(user, *, cap: int = VIEW_COUNT_CAP) -> dict[str, tuple[int, bool]]:
    """{view: (count, capped)} of every desk view for `user`, in one query whatever the size
    of the table (each count stops after `cap` tickets)."""
    tickets = Ticket.objects.all()
    return capped_counts(
        {view: desk_view_filter(tickets, view, user) for view in DeskView.values}, cap
    )
