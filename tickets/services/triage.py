"""Support's decisions on a ticket: downgrade, assign, unsupported build."""

from datetime import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.services import contract_schedule
from sla.clocks import clock_not_applicable, clocks_retarget
from sla.models import Priority
from tickets.models import EventField, Message, MessageKind, Ticket, TicketStatus
from tickets.services._common import (
    TicketError,
    clock_events,
    event,
    lock_clocks,
    lock_ticket,
    record,
    require_open,
    require_responded,
    require_staff,
    require_text,
    set_status,
    snapshot,
    ticket_refresh_sla,
)
from tickets.services.agreements import proposal_withdraw_open
from tickets.services.lifecycle import save_ticket

NEXT_LOWER = {Priority.P1: Priority.P2, Priority.P2: Priority.P3, Priority.P3: Priority.P4}


@transaction.atomic
def ticket_downgrade(*, ticket: Ticket, by, reason: str, now: datetime) -> Ticket:
    """Lower the priority by exactly one level, after the first response, with a reason. The new
    priority's targets apply counted from the original start; met clocks stay met, agreed ones
    keep their time, a recorded breach stays recorded (the clock runs again if its new due time
    is ahead), and a clock without a target at the new priority becomes not applicable."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_open(ticket)
    require_responded(ticket)
    reason = require_text(reason, "reason", _("Say why the priority is lowered."))
    lower = NEXT_LOWER.get(ticket.priority)
    if lower is None:
        raise TicketError(_("P4 is the lowest priority."), code="lowest_priority")
    events = [
        event(
            ticket,
            actor=by,
            at=now,
            field=EventField.PRIORITY,
            before=ticket.priority,
            after=lower,
            reason=reason,
        )
    ]
    ticket.priority = lower
    clocks = lock_clocks(ticket)
    before = snapshot(clocks)
    clocks_retarget(
        ticket=ticket,
        schedule=contract_schedule(ticket.contract),
        tier=ticket.contract.tier,
        priority=lower,
        now=now,
        clocks=list(clocks.values()),
    )
    events += clock_events(ticket, before, clocks, actor=by, at=now, reason=reason)
    save_ticket(ticket)
    record(events)
    ticket_refresh_sla(ticket, now, clocks)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, engineer, by, now: datetime) -> Ticket:
    """Assign the ticket to a support engineer (None: unassign)."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    if ticket.status == TicketStatus.CLOSED:
        raise TicketError(
            _("Ticket #%(number)s is closed.") % {"number": ticket.pk}, code="ticket_closed"
        )
    if engineer is not None and not (engineer.is_staff and engineer.is_active):
        raise TicketError(
            _("Tickets are assigned to active support engineers only."),
            code="not_engineer",
            field="engineer",
        )
    if ticket.assignee_id == (engineer.pk if engineer else None):
        return ticket
    before = str(ticket.assignee) if ticket.assignee_id else ""
    ticket.assignee = engineer
    save_ticket(ticket)
    record(
        [
            event(
                ticket,
                actor=by,
                at=now,
                field=EventField.ASSIGNEE,
                before=before,
                after=str(engineer) if engineer else "",
                public=False,
            )
        ]
    )
    return ticket


@transaction.atomic
def ticket_mark_unsupported_build(*, ticket: Ticket, by, reason: str, now: datetime) -> Ticket:
    """The software is modified or recompiled: every running or paused clock becomes not
    applicable (met and breached ones keep their facts) and the customer is told why, in a
    public message and in the history."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_open(ticket)
    if ticket.unsupported_build:
        raise TicketError(_("The ticket is already marked unsupported."), code="unsupported_build")
    reason = require_text(reason, "reason", _("Tell the customer why the build is unsupported."))
    clocks = lock_clocks(ticket)
    before = snapshot(clocks)
    for clock in clocks.values():
        clock_not_applicable(clock)
    ticket.unsupported_build = True
    with translation.override(ticket.reporter.language):
        body = _(
            "Support has marked this ticket as an unsupported build: modified or recompiled "
            "software is not covered by commercial support, so no SLA targets apply to it.\n\n"
            "Reason: %(reason)s"
        ) % {"reason": reason}
    Message.objects.create(
        ticket=ticket, author=by, kind=MessageKind.REPLY, public=True, body=body, created_at=now
    )
    events = [
        event(
            ticket,
            actor=by,
            at=now,
            field=EventField.UNSUPPORTED_BUILD,
            before="no",
            after="yes",
            reason=reason,
        )
    ]
    events += clock_events(ticket, before, clocks, actor=by, at=now, reason=reason)
    if ticket.first_response_at is None:
        # The message above is support's answer to the customer.
        ticket.first_response_at = now
    if ticket.status == TicketStatus.NEW:
        events += set_status(ticket, TicketStatus.IN_PROGRESS, actor=by, at=now, reason=reason)
    events += proposal_withdraw_open(ticket, by=by, now=now, reason=reason)
    save_ticket(ticket)
    record(events)
    ticket_refresh_sla(ticket, now, clocks)
    return ticket
