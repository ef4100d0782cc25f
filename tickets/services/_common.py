"""Helpers shared by the ticket services: row locks, who may do what, the history writer and the
SLA summary kept on the ticket row."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from config.errors import ServiceError
from contracts.models import SupportContact
from sla.models import Clock, ClockState, Metric
from tickets.models import EventField, SlaState, Ticket, TicketEvent, TicketStatus


class TicketError(ServiceError):
    """A refused ticket operation; the message is translated and shown as is."""


DUE_FIELD = {
    Metric.RESPONSE: EventField.DUE_RESPONSE,
    Metric.RESTORE: EventField.DUE_RESTORE,
    Metric.FIX: EventField.DUE_FIX,
}
CLOCK_FIELD = {
    Metric.RESPONSE: EventField.SLA_RESPONSE,
    Metric.RESTORE: EventField.SLA_RESTORE,
    Metric.FIX: EventField.SLA_FIX,
}
# Worst first: the ticket shows the worst state of its clocks.
_SEVERITY = [
    SlaState.BREACHED,
    SlaState.AT_RISK,
    SlaState.RUNNING,
    SlaState.PAUSED,
    SlaState.MET,
    SlaState.NOT_APPLICABLE,
]


# --- locks ------------------------------------------------------------------------------------


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """The ticket row, locked for the rest of the transaction, with its contract and tier."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("contract__tier", "contract__calendar", "contract__customer")
        .get(pk=pk)
    )


def lock_clocks(ticket: Ticket) -> dict[str, Clock]:
    """The ticket's clocks by metric, locked: the beat sweep claims breaches with conditional
    UPDATEs on these rows, which then wait for this transaction and see its outcome."""
    return {c.metric: c for c in Clock.objects.select_for_update().filter(ticket=ticket)}


# --- who may do what --------------------------------------------------------------------------


def require_staff(user) -> None:
    if not (user and user.is_authenticated and user.is_staff):
        raise TicketError(_("Only support staff can do this."), code="forbidden")


def is_customer_of(user, ticket: Ticket) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.customer_id
        and user.customer_id == ticket.contract.customer_id
    )


def require_participant(user, ticket: Ticket) -> None:
    """Staff, or a user of the ticket's customer organisation (partners only read)."""
    if not (user and user.is_authenticated and user.is_staff) and not is_customer_of(user, ticket):
        raise TicketError(
            _("You cannot change ticket #%(number)s.") % {"number": ticket.pk}, code="forbidden"
        )


def is_named_contact(user, ticket: Ticket) -> bool:
    return SupportContact.objects.filter(contract_id=ticket.contract_id, user=user).exists()


def require_text(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise TicketError(message, code="required", field=field)
    return value


def require_open(ticket: Ticket) -> None:
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise TicketError(
            _("Ticket #%(number)s is %(status)s.")
            % {"number": ticket.pk, "status": ticket.get_status_display()},
            code="ticket_not_open",
        )


def require_responded(ticket: Ticket) -> None:
    if ticket.first_response_at is None:
        raise TicketError(
            _("Reply to the customer (or log a call) first: that is the first response."),
            code="no_first_response",
        )


# --- history ----------------------------------------------------------------------------------


def local_text(ticket: Ticket, value: datetime | None) -> str:
    """A due time as history shows it: ISO 8601 in the contract's time zone."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(ticket.contract.timezone)).isoformat(timespec="minutes")


def event(
    ticket: Ticket,
    *,
    actor,
    at: datetime,
    field: str,
    before: str = "",
    after: str = "",
    reason: str = "",
    public: bool = True,
) -> TicketEvent:
    """An unsaved history entry (callers bulk_create them)."""
    return TicketEvent(
        ticket=ticket,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        field=field,
        before=str(before)[:200],
        after=str(after)[:200],
        reason=reason,
        public=public,
    )


def record(events: list[TicketEvent]) -> None:
    if events:
        TicketEvent.objects.bulk_create(events)


def snapshot(clocks: dict[str, Clock]) -> dict[str, tuple[str, datetime | None]]:
    return {metric: (c.state, c.due_at) for metric, c in clocks.items()}


def clock_events(
    ticket: Ticket,
    before: dict[str, tuple[str, datetime | None]],
    clocks: dict[str, Clock],
    *,
    actor,
    at: datetime,
    reason: str = "",
) -> list[TicketEvent]:
    """History entries for every clock whose state or due time changed since `before`."""
    events = []
    for metric in Metric.values:
        clock = clocks.get(metric)
        if clock is None or metric not in before:
            continue
        state, due = before[metric]
        if clock.state != state:
            events.append(
                event(
                    ticket,
                    actor=actor,
                    at=at,
                    field=CLOCK_FIELD[metric],
                    before=state,
                    after=clock.state,
                    reason=reason,
                )
            )
        if clock.due_at != due:
            events.append(
                event(
                    ticket,
                    actor=actor,
                    at=at,
                    field=DUE_FIELD[metric],
                    before=local_text(ticket, due),
                    after=local_text(ticket, clock.due_at),
                    reason=reason,
                )
            )
    return events


def set_status(ticket: Ticket, status: str, *, actor, at: datetime, reason: str = "") -> list:
    """Change the status in memory; returns the history entry (empty list if unchanged)."""
    if ticket.status == status:
        return []
    before = ticket.status
    ticket.status = status
    return [
        event(
            ticket,
            actor=actor,
            at=at,
            field=EventField.STATUS,
            before=before,
            after=status,
            reason=reason,
        )
    ]


# --- the SLA summary on the ticket row --------------------------------------------------------


def clock_summary(clock: Clock, now: datetime) -> str:
    """One clock's contribution to the ticket's SLA summary. A running clock past its due time
    is breached even before the sweep has claimed it."""
    if clock.state == ClockState.RUNNING:
        if clock.due_at is not None and now > clock.due_at:
            return SlaState.BREACHED
        if clock.at_risk_flagged_at is not None or (
            clock.at_risk_at is not None and now >= clock.at_risk_at
        ):
            return SlaState.AT_RISK
        return SlaState.RUNNING
    return clock.state


def ticket_refresh_sla(
    ticket: Ticket, now: datetime, clocks: dict[str, Clock] | list[Clock] | None = None
) -> Ticket:
    """Bring `ticket.next_due_at` (nearest due time of a running clock) and `ticket.sla_state`
    (worst clock state) in line with its clocks. Called by every service that changes clocks
    and by the beat sweep after it flags one."""
    if clocks is None:
        clocks = list(Clock.objects.filter(ticket_id=ticket.pk))
    elif isinstance(clocks, dict):
        clocks = list(clocks.values())
    states = {clock_summary(c, now) for c in clocks}
    sla_state = next((s for s in _SEVERITY if s in states), "")
    dues = [c.due_at for c in clocks if c.state == ClockState.RUNNING and c.due_at is not None]
    next_due_at = min(dues) if dues else None
    if (ticket.sla_state, ticket.next_due_at) != (sla_state, next_due_at):
        Ticket.objects.filter(pk=ticket.pk).update(sla_state=sla_state, next_due_at=next_due_at)
        ticket.sla_state, ticket.next_due_at = sla_state, next_due_at
    return ticket
