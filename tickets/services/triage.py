"""Support's decisions on a ticket: downgrade, assign, unsupported build."""

from datetime import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sla.models import Priority
from tickets import history
from tickets.models import Message, MessageKind, Ticket, TicketStatus
from tickets.notifications.events import notify
from tickets.notifications.models import Event
from tickets.services.agreements import proposal_withdraw_open
from tickets.services.change import ticket_change
from tickets.services.checks import (
    require_not_closed,
    require_open,
    require_responded,
    require_text,
)
from tickets.services.errors import TicketError
from tickets.services.locks import lock_ticket
from tickets.services.permissions import is_desk_staff, require_staff
from tickets.sla.clocks import clock_not_applicable, clocks_retarget

NEXT_LOWER = {Priority.P1: Priority.P2, Priority.P2: Priority.P3, Priority.P3: Priority.P4}


@transaction.atomic
def ticket_downgrade(
    *, ticket: Ticket, by, reason: str, internal_note: str = "", now: datetime
) -> Ticket:
    """Lower the priority by exactly one level, after the first response, with a reason: told to
    the customer (`reason`), kept for support (`internal_note`), or both. The new priority's
    targets apply counted from the original start to the clocks still running; met and breached
    clocks keep their outcome, agreed ones their time, and a running clock without a target at
    the new priority becomes not applicable."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_open(ticket)
    require_responded(ticket)
    reason, internal_note = reason.strip(), internal_note.strip()
    if not internal_note:
        reason = require_text(reason, "reason", _("Say why the priority is lowered."))
    lower = NEXT_LOWER.get(ticket.priority)
    if lower is None:
        raise TicketError(_("P4 is the lowest priority."), code="lowest_priority")
    with ticket_change(
        ticket, by=by, now=now, reason=reason, internal_note=internal_note
    ) as change:
        change.add(
            history.priority_changed(
                ticket, by=by, at=now, before=ticket.priority, after=lower, reason=reason
            )
        )
        ticket.priority = lower
        clocks_retarget(
            ticket=ticket,
            schedule=change.schedule,
            tier=ticket.contract.tier,
            priority=lower,
            now=now,
            clocks=list(change.clocks.values()),
        )
    notify(Event.DOWNGRADED, ticket=ticket, by=by, now=now, text=reason)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, engineer, by, now: datetime) -> Ticket:
    """Assign the ticket to a support engineer (None: unassign)."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_not_closed(ticket)
    if engineer is not None and not is_desk_staff(engineer):
        raise TicketError(
            _("Tickets are assigned to active support engineers only."),
            code="not_engineer",
            field="engineer",
        )
    if ticket.assignee_id == (engineer.pk if engineer else None):
        return ticket
    with ticket_change(ticket, by=by, now=now) as change:
        change.add(
            history.assignee_changed(ticket, by=by, at=now, before=ticket.assignee, after=engineer)
        )
        ticket.assignee = engineer
    if engineer is not None:
        notify(Event.ASSIGNED, ticket=ticket, by=by, now=now)
    return ticket


@transaction.atomic
def ticket_mark_unsupported_build(
    *, ticket: Ticket, by, reason: str, internal_note: str = "", now: datetime
) -> Ticket:
    """The software is modified or recompiled: every running or paused clock becomes not
    applicable (met and breached ones keep their facts) and the customer is told why, in a
    public message and in the history."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_open(ticket)
    if ticket.unsupported_build:
        raise TicketError(_("The ticket is already marked unsupported."), code="unsupported_build")
    reason = require_text(reason, "reason", _("Tell the customer why the build is unsupported."))
    with ticket_change(
        ticket, by=by, now=now, reason=reason, internal_note=internal_note
    ) as change:
        change.add(history.unsupported_build_marked(ticket, by=by, at=now, reason=reason))
        for clock in change.clocks.values():
            clock_not_applicable(clock)
        ticket.unsupported_build = True
        with translation.override(ticket.reporter.language):
            body = _(
                "Support has marked this ticket as an unsupported build: modified or recompiled "
                "software is not covered by commercial support, so no SLA targets apply to it."
                "\n\nReason: %(reason)s"
            ) % {"reason": reason}
        Message.objects.create(
            ticket=ticket, author=by, kind=MessageKind.REPLY, public=True, body=body, created_at=now
        )
        if ticket.first_response_at is None:
            # The message above is support's answer to the customer.
            ticket.first_response_at = now
        if ticket.status == TicketStatus.NEW:
            change.set_status(TicketStatus.IN_PROGRESS)
        change.add(*proposal_withdraw_open(ticket, by=by, now=now, reason=reason))
    notify(Event.UNSUPPORTED, ticket=ticket, by=by, now=now, text=reason)
    return ticket
