"""The ticket's append-only history: one function per kind of entry, each returning unsaved
entries that `record` writes in one statement. Due times are stored as ISO 8601 in the
contract's zone (core.timefmt.local_iso); states and statuses as their codes.

Quiet history: `record` writes one row per action (the field changes of one ticket, actor and
moment grouped, the reason once; internal changes in a row of their own so the customer never
sees them), and never a change that changes nothing ("X → X")."""

from datetime import datetime

from django.utils.translation import gettext

from core.timefmt import local_iso
from sla.models import Metric
from tickets.models import (
    AlertKind,
    Clock,
    EventField,
    RemoteSession,
    Ticket,
    TicketEvent,
)

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

ClockSnapshot = dict[str, tuple[str, datetime | None]]


def _entry(
    ticket: Ticket,
    *,
    field: str,
    by,
    at: datetime,
    before: str = "",
    after: str = "",
    reason: str = "",
    public: bool = True,
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        actor=by if by is not None and by.is_authenticated else None,
        at=at,
        field=field,
        before=str(before)[:200],
        after=str(after)[:200],
        reason=reason,
        public=public,
    )


def local_text(ticket: Ticket, value: datetime | None) -> str:
    """A moment as the history stores it: ISO 8601 in the contract's time zone."""
    return local_iso(value, ticket.contract.timezone)


def opened(ticket: Ticket, *, by, at: datetime, reason: str = "") -> TicketEvent:
    return _entry(
        ticket,
        field=EventField.OPENED,
        by=by,
        at=at,
        after=f"{ticket.priority} {ticket.channel}",
        reason=reason,
    )


def status_changed(
    ticket: Ticket, *, by, at: datetime, before: str, after: str, reason: str = ""
) -> TicketEvent:
    return _entry(
        ticket, field=EventField.STATUS, by=by, at=at, before=before, after=after, reason=reason
    )


def priority_changed(
    ticket: Ticket, *, by, at: datetime, before: str, after: str, reason: str
) -> TicketEvent:
    return _entry(
        ticket, field=EventField.PRIORITY, by=by, at=at, before=before, after=after, reason=reason
    )


def assignee_changed(ticket: Ticket, *, by, at: datetime, before, after) -> TicketEvent:
    """Internal: who works on a ticket is support's business."""
    return _entry(
        ticket,
        field=EventField.ASSIGNEE,
        by=by,
        at=at,
        before=str(before) if before else "",
        after=str(after) if after else "",
        public=False,
    )


def unsupported_build_marked(ticket: Ticket, *, by, at: datetime, reason: str) -> TicketEvent:
    return _entry(
        ticket,
        field=EventField.UNSUPPORTED_BUILD,
        by=by,
        at=at,
        before="no",
        after="yes",
        reason=reason,
    )


def agreement_text(ticket: Ticket, status: str, due_at: datetime) -> str:
    return f"{status} {local_text(ticket, due_at)}"


def agreement_changed(
    ticket: Ticket, *, by, at: datetime, before: str = "", after: str, reason: str = ""
) -> TicketEvent:
    return _entry(
        ticket, field=EventField.AGREEMENT, by=by, at=at, before=before, after=after, reason=reason
    )


def remote_session_changed(
    ticket: Ticket,
    session: RemoteSession,
    *,
    by,
    at: datetime,
    before: str = "",
    reason: str = "",
) -> TicketEvent:
    """A session requested (with its start), held or cancelled."""
    after = session.status
    if not before:
        after = f"{session.status} {local_text(ticket, session.starts_at)}"
    return _entry(
        ticket,
        field=EventField.REMOTE_SESSION,
        by=by,
        at=at,
        before=before,
        after=after,
        reason=reason,
    )


def clock_snapshot(clocks: dict[str, Clock]) -> ClockSnapshot:
    return {metric: (c.state, c.due_at) for metric, c in clocks.items()}


def clock_changes(
    ticket: Ticket,
    before: ClockSnapshot,
    clocks: dict[str, Clock],
    *,
    by,
    at: datetime,
    reason: str = "",
) -> list[TicketEvent]:
    """An entry for every clock whose state or due time changed since `before`."""
    entries = []
    for metric in Metric.values:
        clock = clocks.get(metric)
        if clock is None or metric not in before:
            continue
        state, due = before[metric]
        if clock.state != state:
            entries.append(
                _entry(
                    ticket,
                    field=CLOCK_FIELD[metric],
                    by=by,
                    at=at,
                    before=state,
                    after=clock.state,
                    reason=reason,
                )
            )
        if clock.due_at != due:
            entries.append(
                _entry(
                    ticket,
                    field=DUE_FIELD[metric],
                    by=by,
                    at=at,
                    before=local_text(ticket, due),
                    after=local_text(ticket, clock.due_at),
                    reason=reason,
                )
            )
    return entries


def sweep_reason(kind: str, metric: str) -> str:
    """The reason of the entry the sweep writes when it flags a clock (active language)."""
    label = Metric(metric).label
    if kind == AlertKind.BREACHED:
        return gettext("%(metric)s target breached") % {"metric": label}
    return gettext("%(metric)s target at risk") % {"metric": label}


def _changes_nothing(entry: TicketEvent) -> bool:
    return entry.field != EventField.OPENED and entry.before == entry.after


def grouped(entries: list[TicketEvent], *, internal_note: str = "") -> list[TicketEvent]:
    """One entry per action: the changes of one ticket by one actor at one moment, split by
    visibility, become one row (its first change, the others in `changes`), with the reason
    once; changes that change nothing are left out. `internal_note` goes on the action's first
    row (staff only, whatever the row's visibility)."""
    rows: dict[tuple, TicketEvent] = {}
    kept: list[TicketEvent] = []
    for entry in entries:
        if _changes_nothing(entry):
            continue
        key = (entry.ticket_id, entry.at, entry.actor_id, entry.public)
        row = rows.get(key)
        if row is None:
            rows[key] = entry
            kept.append(entry)
            continue
        item = {"field": entry.field, "before": entry.before, "after": entry.after}
        if entry.reason and entry.reason != row.reason:
            if row.reason:
                item["reason"] = entry.reason
            else:
                row.reason = entry.reason
        row.changes = [*row.changes, item]
    note = internal_note.strip()
    if note and kept:
        first = kept[0]
        first.internal_note = f"{first.internal_note}\n{note}" if first.internal_note else note
    return kept


def record(entries: list[TicketEvent], *, internal_note: str = "") -> list[TicketEvent]:
    """Write the entries of one action (or of several tickets' actions) as grouped rows."""
    rows = grouped(entries, internal_note=internal_note)
    if rows:
        TicketEvent.objects.bulk_create(rows)
    return rows
