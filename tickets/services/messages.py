"""The ticket thread: replies, internal notes, logged calls."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from tickets.models import Message, MessageKind, Ticket, TicketStatus
from tickets.services._common import (
    TicketError,
    lock_ticket,
    record,
    require_participant,
    require_staff,
    require_text,
)
from tickets.services.attachments import attachments_store
from tickets.services.lifecycle import first_response, resume_clocks, save_ticket


def _require_not_closed(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.CLOSED:
        raise TicketError(
            _("Ticket #%(number)s is closed; please open a new ticket.") % {"number": ticket.pk},
            code="ticket_closed",
        )


@transaction.atomic
def message_post(
    *, ticket: Ticket, author, body: str, public: bool = True, attachments=(), now: datetime
) -> Message:
    """Add a message to the thread. Support's first public reply is the first response; a
    customer's reply ends a wait for the customer; internal notes (staff only) change nothing."""
    ticket = lock_ticket(ticket)
    require_participant(author, ticket)
    _require_not_closed(ticket)
    if not public and not author.is_staff:
        raise TicketError(_("Only support staff can write internal notes."), code="forbidden")
    body = require_text(body, "body", _("Write a message."))
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        kind=MessageKind.REPLY if public else MessageKind.NOTE,
        public=public,
        body=body,
        created_at=now,
    )
    attachments_store(ticket=ticket, files=attachments, by=author, now=now, message=message)
    events = []
    if author.is_staff and public:
        events = first_response(ticket, by=author, now=now)
    elif not author.is_staff and ticket.status == TicketStatus.WAITING:
        events = resume_clocks(ticket, by=author, now=now, reason=_("The customer replied."))
    save_ticket(ticket)
    record(events)
    return message


@transaction.atomic
def call_log(*, ticket: Ticket, by, summary: str, now: datetime) -> Message:
    """Record a call with the customer (visible to them); support's first call is the first
    response."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    _require_not_closed(ticket)
    summary = require_text(summary, "summary", _("Summarise the call."))
    message = Message.objects.create(
        ticket=ticket, author=by, kind=MessageKind.CALL, public=True, body=summary, created_at=now
    )
    events = first_response(ticket, by=by, now=now)
    save_ticket(ticket)
    record(events)
    return message
