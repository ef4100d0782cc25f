"""A ticket's way from submission to closure: open, first response, waiting for the customer,
restored, resolved, closed, reopened.

Statuses: new -> in progress (first response) -> [waiting <-> in progress/restored] ->
restored -> resolved -> closed. A resolved ticket can be reopened (its fix clock runs again,
moved on by the time it spent resolved, as if the ticket had waited for the customer); a closed
ticket is final: a recurrence is a new ticket.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Contract, Product, ProductVersion
from contracts.schedule import contract_schedule
from contracts.services import entitlement_require
from sla.models import MAIL_CHANNELS, SELF_SERVICE_CHANNELS, Channel, Metric, Priority
from tickets import history
from tickets.models import Clock, Ticket, TicketStatus
from tickets.notifications.events import notify
from tickets.notifications.models import Event
from tickets.services.agreements import proposal_withdraw_open
from tickets.services.attachments import attachments_store
from tickets.services.change import TicketChange, ticket_change
from tickets.services.checks import require_open, require_responded, require_text
from tickets.services.errors import TicketError
from tickets.services.locks import lock_ticket
from tickets.services.permissions import (
    is_customer_of,
    is_desk_staff,
    require_participant,
    require_staff,
)
from tickets.sla.clocks import clock_meet, clock_pause, clock_reopen, clock_resume, clocks_build
from tickets.sla.summary import sla_summary, ticket_refresh_sla


def working_status(ticket: Ticket) -> str:
    """The status of a ticket that is being worked on again."""
    return TicketStatus.RESTORED if ticket.restored_at else TicketStatus.IN_PROGRESS


@transaction.atomic
def ticket_open(
    *,
    contract: Contract,
    product: Product,
    version: ProductVersion,
    priority: str,
    subject: str,
    description: str,
    reporter,
    channel: str = Channel.PORTAL,
    environment: str = "",
    on_duty_name: str = "",
    on_duty_phone: str = "",
    unmodified_build: bool,
    logged_by=None,
    attachments=(),
    follow_up_of: Ticket | None = None,
    now: datetime,
) -> Ticket:
    """Open a ticket under an entitled contract and start its response, restore and fix clocks.
    Staff logging a call or an e-mail pass `logged_by` and the channel it came in by. The
    reporter hears at once (with the due times), support too (a page for P1 and P2)."""
    if logged_by is not None:
        require_staff(logged_by, "tickets.add_ticket")
    actor = logged_by or reporter
    if not is_desk_staff(reporter) and reporter.customer_id != contract.customer_id:
        raise TicketError(
            _("The reporter must be a user of %(customer)s.") % {"customer": contract.customer},
            code="reporter_not_customer",
            field="reporter",
        )
    if version is None:
        raise TicketError(_("Choose the version you run."), code="required", field="version")
    # The reporter's entitlement, whoever types it in: a call logged by staff for a customer
    # user is still refused unless that user is a named contact.
    entitlement = entitlement_require(
        user=reporter, contract=contract, product=product, version=version, now=now
    )
    if priority not in Priority.values:
        raise TicketError(_("Choose a priority."), code="invalid_priority", field="priority")
    tier = contract.tier
    if logged_by is None and channel not in (*SELF_SERVICE_CHANNELS, *MAIL_CHANNELS):
        raise TicketError(
            _("Tickets you open yourself come in through the portal or the API."),
            code="channel_not_self_service",
            field="channel",
        )
    if logged_by is not None and channel in SELF_SERVICE_CHANNELS:
        raise TicketError(
            _("Choose how the customer reached support (phone, e-mail, ...)."),
            code="channel_self_service",
            field="channel",
        )
    if channel not in Channel.values or (
        channel not in SELF_SERVICE_CHANNELS and channel not in tier.channels
    ):
        raise TicketError(
            _("A %(tier)s contract is not served by %(channel)s; its channels are: %(channels)s.")
            % {
                "tier": tier.name,
                "channel": channel,
                "channels": ", ".join(str(Channel(c).label) for c in tier.channels),
            },
            code="channel_not_in_tier",
            field="channel",
        )
    on_duty_name, on_duty_phone = on_duty_name.strip(), on_duty_phone.strip()
    if tier.always_open and not (on_duty_name and on_duty_phone):
        raise TicketError(
            _(
                "A %(tier)s ticket needs the name and phone of a contact reachable at any time "
                "until the issue is resolved."
            )
            % {"tier": tier.name},
            code="on_duty_required",
            field="on_duty_phone" if on_duty_name else "on_duty_name",
        )
    if not unmodified_build:
        raise TicketError(
            _(
                "Commercial support covers unmodified software only. Please confirm that the "
                "build is neither modified nor recompiled."
            ),
            code="modified_build",
            field="unmodified_build",
        )
    subject = require_text(subject, "subject", _("Write a subject."))
    description = require_text(description, "description", _("Describe the problem."))
    if follow_up_of is not None and follow_up_of.contract_id != contract.pk:
        raise TicketError(
            _("A follow-up is opened under the contract of the ticket it continues."),
            code="follow_up_contract",
        )

    clocks = clocks_build(
        ticket=None,
        schedule=contract_schedule(contract),
        tier=tier,
        priority=priority,
        opened_at=now,
        fix_applicable=entitlement.fix_target,
    )
    # The SLA summary goes into the ticket's own insert (ticket_refresh_sla then finds it
    # current and writes nothing).
    sla_state, next_due_at = sla_summary(clocks, now)
    ticket = Ticket.objects.create(
        sla_state=sla_state,
        next_due_at=next_due_at,
        contract=contract,
        product=product,
        version=version,
        priority=priority,
        original_priority=priority,
        channel=channel,
        reporter=reporter,
        logged_by=logged_by,
        on_duty_name=on_duty_name,
        on_duty_phone=on_duty_phone,
        unmodified_build=True,
        fix_target=entitlement.fix_target,
        subject=subject,
        description=description,
        environment=environment,
        status=TicketStatus.NEW,
        opened_at=now,
        follow_up_of=follow_up_of,
    )
    for clock in clocks:
        clock.ticket = ticket
    Clock.objects.bulk_create(clocks)
    reason = ""
    if not entitlement.fix_target:
        reason = history.system_reason(
            "no_fix_target",
            product=product.name,
            version=version.name,
            date=version.end_of_maintenance.isoformat(),
        )
    history.record([history.opened(ticket, by=actor, at=now, reason=reason)])
    attachments_store(ticket=ticket, files=attachments, by=actor, now=now)
    ticket_refresh_sla(ticket, now, clocks)
    notify(Event.OPENED, ticket=ticket, by=actor, now=now, ref=ticket.pk)
    return ticket


@transaction.atomic
def ticket_follow_up(
    *,
    ticket: Ticket,
    reporter,
    subject: str,
    description: str,
    priority: str,
    unmodified_build: bool,
    channel: str = Channel.PORTAL,
    attachments=(),
    now: datetime,
) -> Ticket:
    """A closed ticket is final: a recurrence opens a follow-up, a new ticket linked to it,
    under the same contract, product and version (and on-duty contact), with the reporter's
    entitlement checked as for any new ticket."""
    if ticket.status != TicketStatus.CLOSED:
        raise TicketError(
            _("Only a closed ticket gets a follow-up; reply on the ticket instead."),
            code="not_closed",
        )
    return ticket_open(
        contract=ticket.contract,
        product=ticket.product,
        version=ticket.version,
        priority=priority,
        subject=subject,
        description=description,
        reporter=reporter,
        channel=channel,
        environment=ticket.environment,
        on_duty_name=ticket.on_duty_name,
        on_duty_phone=ticket.on_duty_phone,
        unmodified_build=unmodified_build,
        attachments=attachments,
        follow_up_of=ticket,
        now=now,
    )


def first_response(change: TicketChange) -> None:
    """The first public reply or logged call of support meets the response clock and puts a
    new ticket in progress."""
    ticket = change.ticket
    if ticket.first_response_at is not None:
        return
    ticket.first_response_at = change.now
    if Metric.RESPONSE in change.clocks:
        clock_meet(change.clocks[Metric.RESPONSE], change.now)
    if ticket.status == TicketStatus.NEW:
        change.set_status(TicketStatus.IN_PROGRESS)


def resume_clocks(change: TicketChange) -> None:
    """End the wait for the customer: restore and fix run again, moved on by the service time
    they spent paused."""
    for clock in change.clocks.values():
        clock_resume(clock, change.schedule, change.now)
    change.set_status(working_status(change.ticket))


@transaction.atomic
def ticket_wait_for_customer(
    *, ticket: Ticket, by, reason: str, internal_note: str = "", now: datetime
) -> Ticket:
    """Support waits for information from the customer: restore and fix pause, response keeps
    running (docs/spec.md "Waiting for the customer"). `reason` is what the customer reads;
    `internal_note` stays with support."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_open(ticket)
    if ticket.status == TicketStatus.WAITING:
        raise TicketError(_("The ticket is already waiting for the customer."), code="waiting")
    reason = require_text(reason, "reason", _("Say what the customer should send."))
    with ticket_change(
        ticket, by=by, now=now, reason=reason, internal_note=internal_note
    ) as change:
        for metric in (Metric.RESTORE, Metric.FIX):
            if metric in change.clocks:
                clock_pause(change.clocks[metric], now)
        change.set_status(TicketStatus.WAITING)
    notify(Event.WAITING, ticket=ticket, by=by, now=now, text=reason)
    return ticket


@transaction.atomic
def ticket_resume(
    *, ticket: Ticket, by, reason: str = "", internal_note: str = "", now: datetime
) -> Ticket:
    """Stop waiting for the customer (a customer's reply does this by itself)."""
    ticket = lock_ticket(ticket)
    require_participant(by, ticket)
    if ticket.status != TicketStatus.WAITING:
        raise TicketError(_("The ticket is not waiting for the customer."), code="not_waiting")
    with ticket_change(
        ticket, by=by, now=now, reason=reason.strip(), internal_note=internal_note
    ) as change:
        resume_clocks(change)
    return ticket


@transaction.atomic
def ticket_restore(
    *, ticket: Ticket, by, note: str = "", internal_note: str = "", now: datetime
) -> Ticket:
    """Service is restored or a workaround is in place: meets the restore clock."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    require_open(ticket)
    require_responded(ticket)
    if ticket.restored_at is not None:
        raise TicketError(_("Service was already restored on this ticket."), code="restored")
    with ticket_change(
        ticket, by=by, now=now, reason=note.strip(), internal_note=internal_note
    ) as change:
        # Restoring ends any wait: the fix clock runs again.
        for clock in change.clocks.values():
            clock_resume(clock, change.schedule, now)
        if Metric.RESTORE in change.clocks:
            clock_meet(change.clocks[Metric.RESTORE], now, change.schedule)
        ticket.restored_at = now
        change.set_status(TicketStatus.RESTORED)
    notify(Event.RESTORED, ticket=ticket, by=by, now=now, text=note.strip())
    return ticket


@transaction.atomic
def ticket_resolve(
    *, ticket: Ticket, by, note: str = "", internal_note: str = "", now: datetime
) -> Ticket:
    """The permanent fix is delivered: meets the fix clock and stops every clock (met when in
    time, breached ones stay breached). An open proposal of a resolution time is withdrawn."""
    ticket = lock_ticket(ticket)
    require_staff(by)
    return _resolve(ticket, by=by, note=note, internal_note=internal_note, now=now)


@transaction.atomic
def ticket_resolve_by_customer(*, ticket: Ticket, by, note: str = "", now: datetime) -> Ticket:
    """A user of the customer says the issue is solved: the ticket is resolved as support
    resolves it (every running clock met, an open proposal withdrawn). Like support, only after
    the first response: before it, resolving would count as support's answer. Partners only
    read; staff use ticket_resolve."""
    ticket = lock_ticket(ticket)
    if not is_customer_of(by, ticket):
        raise TicketError(
            _("You cannot change ticket #%(number)s.") % {"number": ticket.pk}, code="forbidden"
        )
    return _resolve(ticket, by=by, note=note, now=now)


def _resolve(ticket: Ticket, *, by, note: str, internal_note: str = "", now: datetime) -> Ticket:
    require_open(ticket)
    require_responded(ticket)
    with ticket_change(
        ticket, by=by, now=now, reason=note.strip(), internal_note=internal_note
    ) as change:
        for clock in change.clocks.values():
            clock_meet(clock, now, change.schedule)
        ticket.resolved_at = now
        if ticket.restored_at is None:
            ticket.restored_at = now
        change.set_status(TicketStatus.RESOLVED)
        resolved = history.system_reason("ticket_resolved")
        change.add(*proposal_withdraw_open(ticket, by=by, now=now, reason=resolved))
    notify(Event.RESOLVED, ticket=ticket, by=by, now=now, text=note.strip())
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, by, reason: str = "", internal_note: str = "", now: datetime
) -> Ticket:
    """Close a resolved ticket (support, or the customer confirming the resolution). Final."""
    ticket = lock_ticket(ticket)
    require_participant(by, ticket)
    if ticket.status != TicketStatus.RESOLVED:
        raise TicketError(_("Only a resolved ticket can be closed."), code="not_resolved")
    with ticket_change(
        ticket, by=by, now=now, reason=reason.strip(), internal_note=internal_note
    ) as change:
        ticket.closed_at = now
        change.set_status(TicketStatus.CLOSED)
    notify(Event.CLOSED, ticket=ticket, by=by, now=now, text=reason.strip())
    return ticket


@transaction.atomic
def ticket_reopen(
    *, ticket: Ticket, by, reason: str, internal_note: str = "", now: datetime
) -> Ticket:
    """The resolution did not hold: a resolved ticket is worked on again. Its fix clock runs
    again, moved on by the service time the ticket spent resolved; response and restore keep
    their facts. A closed ticket cannot be reopened."""
    ticket = lock_ticket(ticket)
    require_participant(by, ticket)
    if ticket.status != TicketStatus.RESOLVED:
        raise TicketError(
            _("Only a resolved ticket can be reopened; for a closed one, open a new ticket."),
            code="not_resolved",
        )
    reason = require_text(reason, "reason", _("Say why the ticket is reopened."))
    with ticket_change(
        ticket, by=by, now=now, reason=reason, internal_note=internal_note
    ) as change:
        reopen(change)
    notify(Event.REOPENED, ticket=ticket, by=by, now=now, text=reason)
    return ticket


def reopen(change: TicketChange) -> None:
    """A resolved ticket is worked on again: the fix clock runs again, moved on by the service
    time the ticket spent resolved; the ticket goes back to restored (or in progress)."""
    if Metric.FIX in change.clocks:
        clock_reopen(change.clocks[Metric.FIX], change.schedule, change.now)
    change.ticket.resolved_at = None
    change.set_status(working_status(change.ticket))
