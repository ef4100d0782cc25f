"""Agreed resolution times (docs/spec.md "After the first response", way 3): support proposes a due
time; it takes effect when a named contact of the customer accepts it, or when support records
the customer's written consent; the customer can decline, support can withdraw.

Accepting sets the due time of the fix clock to the agreed time, and that of the restore clock
too while service is not yet restored: "a new resolution time" covers the whole issue. The
clocks are marked `agreed`, so later changes of SLA targets leave them alone.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.moments import require_supported_moment
from sla.models import Metric
from tickets import history
from tickets.models import Agreement, AgreementStatus, SlaState, Ticket, TicketEvent
from tickets.notifications.events import notify
from tickets.notifications.models import Event
from tickets.services.change import ticket_change
from tickets.services.checks import require_open, require_responded, require_text
from tickets.services.errors import TicketError
from tickets.services.locks import lock_clocks, lock_ticket
from tickets.services.permissions import is_desk_staff, is_named_contact, require_staff
from tickets.sla.clocks import clock_set_due

_AGREED_METRICS = (Metric.FIX, Metric.RESTORE)


def _clock_open(clock) -> bool:
    """A clock an agreed time can still apply to: not yet reached, with a target, and not
    breached (a recorded breach is final; docs/spec.md "Breaches and alerts")."""
    return clock.met_at is None and clock.state in (SlaState.RUNNING, SlaState.PAUSED)


def _describe(agreement: Agreement, ticket: Ticket) -> str:
    return history.agreement_text(ticket, agreement.status, agreement.due_at)


def _lock(agreement: Agreement) -> tuple[Ticket, Agreement]:
    ticket = lock_ticket(agreement.ticket_id)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.PROPOSED:
        raise TicketError(
            _("This proposal is already %(status)s.") % {"status": agreement.get_status_display()},
            code="agreement_decided",
        )
    return ticket, agreement


def _decide(agreement: Agreement, ticket: Ticket, status: str, *, by, now, reason: str) -> list:
    before = _describe(agreement, ticket)
    agreement.status = status
    agreement.decided_by = by
    agreement.decided_at = now
    agreement.save(update_fields=["status", "decided_by", "decided_at", "written_consent"])
    return [
        history.agreement_changed(
            ticket, by=by, at=now, before=before, after=_describe(agreement, ticket), reason=reason
        )
    ]


@transaction.atomic
def agreement_propose(
    *, ticket: Ticket, by, due_at: datetime, reason: str, now: datetime
) -> Agreement:
    """Support proposes a resolution time (after the first response, in the future, one open
    proposal per ticket)."""
    ticket = lock_ticket(ticket)
    require_staff(by, "tickets.add_agreement")
    require_open(ticket)
    require_responded(ticket)
    reason = require_text(reason, "reason", _("Say why a new resolution time is needed."))
    if due_at is None or due_at.tzinfo is None:
        raise TicketError(_("Give the proposed time."), code="required", field="due_at")
    require_supported_moment(due_at, "due_at")
    if due_at <= now:
        raise TicketError(
            _("The proposed resolution time must be in the future."),
            code="due_in_past",
            field="due_at",
        )
    if ticket.unsupported_build:
        raise TicketError(
            _("An unsupported build has no SLA clocks to agree on."), code="unsupported_build"
        )
    clocks = lock_clocks(ticket)
    if not any(_clock_open(clocks[m]) for m in _AGREED_METRICS if m in clocks):
        raise TicketError(
            _("This ticket has no restore or fix target left to agree on."), code="no_clock"
        )
    if Agreement.objects.filter(ticket=ticket, status=AgreementStatus.PROPOSED).exists():
        raise TicketError(
            _("A proposal is already waiting for the customer; withdraw it first."),
            code="agreement_open",
        )
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(
                ticket=ticket, due_at=due_at, reason=reason, proposed_by=by, proposed_at=now
            )
    except IntegrityError as exc:  # a concurrent proposal won the race
        raise TicketError(
            _("A proposal is already waiting for the customer; withdraw it first."),
            code="agreement_open",
        ) from exc
    history.record(
        [
            history.agreement_changed(
                ticket, by=by, at=now, after=_describe(agreement, ticket), reason=reason
            )
        ]
    )
    _notify(Event.AGREEMENT_PROPOSED, agreement, ticket, by=by, now=now, text=reason)
    return agreement


def _notify(event: str, agreement: Agreement, ticket: Ticket, *, by, now, text: str = "") -> None:
    notify(
        event,
        ticket=ticket,
        by=by,
        now=now,
        text=text,
        ref=f"{agreement.pk}",
        params={"due_at": agreement.due_at.isoformat()},
    )


@transaction.atomic
def agreement_accept(
    *, agreement: Agreement, by, now: datetime, written_consent: bool = False
) -> Agreement:
    """A named contact of the ticket's contract accepts the proposal, or support records the
    customer's written consent (`written_consent=True`). The agreed time becomes the due time
    of the fix clock, and of the restore clock if service is not restored yet."""
    ticket, agreement = _lock(agreement)
    require_open(ticket)
    staff = is_desk_staff(by)
    if staff:
        if not written_consent:
            raise TicketError(
                _("Support can accept only by recording the customer's written consent."),
                code="consent_required",
                field="written_consent",
            )
    elif not is_named_contact(by, ticket):
        raise TicketError(
            _("Only a named support contact of contract %(number)s can accept.")
            % {"number": ticket.contract.number},
            code="forbidden",
        )
    if agreement.due_at <= now:
        raise TicketError(
            _("The proposed time has passed; ask support for a new proposal."),
            code="due_in_past",
        )
    agreement.written_consent = bool(staff and written_consent)
    reason = history.system_reason(
        "consent_recorded" if agreement.written_consent else "accepted_by_customer"
    )
    with ticket_change(ticket, by=by, now=now, reason=agreement.reason) as change:
        for metric in _AGREED_METRICS:
            clock = change.clocks.get(metric)
            if clock is not None and _clock_open(clock):
                clock_set_due(clock, change.schedule, agreement.due_at, now)
        change.add(
            *_decide(agreement, ticket, AgreementStatus.ACCEPTED, by=by, now=now, reason=reason)
        )
    _notify(Event.AGREEMENT_ACCEPTED, agreement, ticket, by=by, now=now)
    return agreement


@transaction.atomic
def agreement_decline(*, agreement: Agreement, by, reason: str = "", now: datetime) -> Agreement:
    """The customer declines the proposal (a named contact, or support recording the refusal);
    the current due times stay."""
    ticket, agreement = _lock(agreement)
    if not is_desk_staff(by) and not is_named_contact(by, ticket):
        raise TicketError(
            _("Only a named support contact of contract %(number)s can decline.")
            % {"number": ticket.contract.number},
            code="forbidden",
        )
    history.record(
        _decide(agreement, ticket, AgreementStatus.DECLINED, by=by, now=now, reason=reason.strip())
    )
    _notify(Event.AGREEMENT_DECLINED, agreement, ticket, by=by, now=now, text=reason.strip())
    return agreement


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, by, reason: str = "", now: datetime) -> Agreement:
    """Support withdraws its proposal before the customer decides."""
    require_staff(by, "tickets.change_agreement")
    ticket, agreement = _lock(agreement)
    history.record(
        _decide(agreement, ticket, AgreementStatus.WITHDRAWN, by=by, now=now, reason=reason.strip())
    )
    _notify(Event.AGREEMENT_WITHDRAWN, agreement, ticket, by=by, now=now, text=reason.strip())
    return agreement


def proposal_withdraw_open(ticket: Ticket, *, by, now: datetime, reason: str) -> list[TicketEvent]:
    """Withdraw the open proposal of a ticket that no longer needs it (resolved, unsupported).
    Runs inside the caller's transaction, which holds the ticket lock."""
    agreement = (
        Agreement.objects.select_for_update()
        .filter(ticket=ticket, status=AgreementStatus.PROPOSED)
        .first()
    )
    if agreement is None:
        return []
    return _decide(agreement, ticket, AgreementStatus.WITHDRAWN, by=by, now=now, reason=reason)
