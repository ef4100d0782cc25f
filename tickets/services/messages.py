"""The ticket thread: replies, internal notes, logged calls. A customer's reply to a resolved
ticket reopens it (docs/spec.md "Replies after resolution")."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from tickets import history
from tickets.models import Message, MessageKind, Ticket, TicketStatus
from tickets.notifications.events import notify
from tickets.notifications.models import Event
from tickets.services.attachments import attachments_store
from tickets.services.change import TicketChange, ticket_change
from tickets.services.checks import require_not_closed, require_text
from tickets.services.errors import TicketError
from tickets.services.lifecycle import first_response, reopen, resume_clocks
from tickets.services.locks import lock_ticket
from tickets.services.permissions import is_desk_staff, require_participant, require_staff


def _closed_message(ticket: Ticket) -> str:
    return _("Ticket #%(number)s is closed; please open a new ticket.") % {"number": ticket.pk}


def assign_to_responder(change: TicketChange) -> None:
    """An unassigned ticket belongs to the engineer who answers it (a public reply or a logged
    call; an internal note does not count): recorded once, in the action's internal entry."""
    ticket = change.ticket
    if ticket.assignee_id is not None or not is_desk_staff(change.by):
        return
    change.add(
        history.assignee_changed(ticket, by=change.by, at=change.now, before=None, after=change.by)
    )
    ticket.assignee = change.by


@transaction.atomic
def message_post(
    *, ticket: Ticket, author, body: str, public: bool = True, attachments=(), now: datetime
) -> Message:
    """Add a message to the thread. Support's first public reply is the first response; a
    customer's reply ends a wait for the customer and reopens a resolved ticket, and an
    unassigned ticket is assigned to the engineer who replies; internal notes (staff only)
    change nothing and tell nobody."""
    ticket = lock_ticket(ticket)
    require_participant(author, ticket)
    require_not_closed(ticket, _closed_message(ticket))
    staff = is_desk_staff(author)
    if not public and not staff:
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
    reopened = False
    with ticket_change(ticket, by=author, now=now) as change:
        if staff and public:
            first_response(change)
            assign_to_responder(change)
        elif not staff and ticket.status == TicketStatus.WAITING:
            change.reason = history.system_reason("customer_replied")
            resume_clocks(change)
        elif not staff and ticket.status == TicketStatus.RESOLVED:
            change.reason = history.system_reason("customer_replied_resolved")
            reopen(change)
            reopened = True
    if public:
        event = Event.STAFF_REPLY if staff else Event.CUSTOMER_REPLY
        notify(
            event,
            ticket=ticket,
            by=author,
            now=now,
            text=body,
            ref=message.pk,
            params={"reopened": True} if reopened else None,
        )
    return message


@transaction.atomic
def call_log(*, ticket: Ticket, by, summary: str, now: datetime) -> Message:
    """Record a call with the customer (visible to them); support's first call is the first
    response."""
    ticket = lock_ticket(ticket)
    require_staff(by, "tickets.add_message")
    require_not_closed(ticket, _closed_message(ticket))
    summary = require_text(summary, "summary", _("Summarise the call."))
    message = Message.objects.create(
        ticket=ticket, author=by, kind=MessageKind.CALL, public=True, body=summary, created_at=now
    )
    with ticket_change(ticket, by=by, now=now) as change:
        first_response(change)
        assign_to_responder(change)
    notify(Event.CALL_LOGGED, ticket=ticket, by=by, now=now, text=summary, ref=message.pk)
    return message
