"""The ticket's append-only history: one function per kind of entry, each returning unsaved
entries that `record` writes in one statement. Due times are stored as ISO 8601 in the
contract's zone (core.timefmt.local_iso); states and statuses as their codes. A reason the
system writes is stored as a code with its parameters and shown in the reader's language
(`system_reason`, `reason_text`); what people type is stored as they typed it.

Quiet history: `record` writes one row per action (the field changes of one ticket, actor and
moment grouped, the reason once; internal changes in a row of their own so the customer never
sees them), and never a change that changes nothing ("X → X")."""

from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext_lazy

from core.timefmt import local_iso
from sla.models import Channel, Metric, Priority
from tickets.models import (
    SYSTEM_REASONS,
    AgreementStatus,
    Clock,
    EventField,
    RemoteSession,
    SessionStatus,
    SlaState,
    Ticket,
    TicketEvent,
    TicketStatus,
)


class SystemReason(str):
    """A reason written by the system: its English text (what `TicketEvent.reason` keeps, for
    search), with the code and parameters that render it in any language."""

    code: str
    params: dict

    def __new__(cls, code: str, **params):
        with translation.override("en"):
            text = _render(code, params)
        reason = super().__new__(cls, text)
        reason.code = code
        reason.params = params
        return reason


def system_reason(code: str, **params) -> SystemReason:
    if code not in SYSTEM_REASONS:
        raise KeyError(code)
    return SystemReason(code, **params)


def _render(code: str, params: dict | None) -> str:
    return TicketEvent(reason_code=code, reason_params=params).reason_text


def reason_text(event: TicketEvent) -> str:
    """An entry's reason in the active language."""
    return event.reason_text


def _status_and_time(value: str, choices) -> str:
    status, _sep, rest = value.partition(" ")
    label = choices(status).label if status in choices.values else status
    return f"{label} {_minute(rest)}".strip()


def _minute(text: str) -> str:
    try:
        return f"{datetime.fromisoformat(text):%Y-%m-%d %H:%M}"
    except ValueError:
        return text


_VALUE_CHOICES = {
    EventField.STATUS: TicketStatus,
    EventField.PRIORITY: Priority,
    EventField.SLA_RESPONSE: SlaState,
    EventField.SLA_RESTORE: SlaState,
    EventField.SLA_FIX: SlaState,
}


def value_text(field: str, value: str) -> str:
    """A history entry's before/after value as people read it, in the active language: labels
    instead of codes, due times without seconds and offset (pages name the zone)."""
    if not value:
        return ""
    choices = _VALUE_CHOICES.get(field)
    if choices is not None:
        return str(choices(value).label) if value in choices.values else value
    if field in DUE_FIELD.values():
        return _minute(value)
    if field == EventField.AGREEMENT:
        return _status_and_time(value, AgreementStatus)
    if field == EventField.REMOTE_SESSION:
        return _status_and_time(value, SessionStatus)
    if field == EventField.UNSUPPORTED_BUILD:
        return str(gettext_lazy("yes") if value == "yes" else gettext_lazy("no"))
    if field == EventField.OPENED:
        priority, _sep, channel = value.partition(" ")
        parts = [
            Priority(priority).label if priority in Priority.values else priority,
            Channel(channel).label if channel in Channel.values else channel,
        ]
        return " · ".join(str(part) for part in parts if part)
    return value


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
        reason_code=getattr(reason, "code", ""),
        reason_params=getattr(reason, "params", None) or None,
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


def sweep_reason(kind: str, metric: str) -> SystemReason:
    """The reason of the entry the sweep writes when it flags a clock."""
    return system_reason(f"{metric}_{kind}")


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
                if entry.reason_code:
                    item["reason_code"] = entry.reason_code
                    item["reason_params"] = entry.reason_params
            else:
                row.reason = entry.reason
                row.reason_code = entry.reason_code
                row.reason_params = entry.reason_params
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
