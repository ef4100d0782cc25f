"""What the staff ticket page shows, read in one query per section (issue 13): the thread with its
files, the clocks with their outcome, the history (one entry per action, internal notes
included), agreements and remote sessions. Plain values for a plain template: no inline
formsets, no admin fieldsets, nothing the engineer does not submit.

Times are the contract's local time, the zone named (core.timefmt.local_time), UTC beside it
where a staff member may need it. A breached clock reads "Breached on" the due time it missed,
with when the sweep noticed beside it, and never "Met on" (docs/spec.md "Breaches and
alerts")."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from core.timefmt import local_time
from sla.models import Metric, Priority, TargetUnit
from tickets import history
from tickets.models import (
    Agreement,
    AgreementStatus,
    Attachment,
    Clock,
    EventField,
    Message,
    MessageKind,
    RemoteSession,
    SessionStatus,
    SlaState,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.sla.summary import clock_summary

METRIC_ORDER = {metric: i for i, metric in enumerate(Metric.values)}
_STATE_FIELDS = {EventField.SLA_RESPONSE, EventField.SLA_RESTORE, EventField.SLA_FIX}
_LABELS = {
    EventField.STATUS: TicketStatus,
    EventField.PRIORITY: Priority,
    **dict.fromkeys(_STATE_FIELDS, SlaState),
}


@dataclass(frozen=True)
class ClockRow:
    metric: str
    label: str
    state: str  # as the ticket's badge reads it (at risk, breached before the sweep)
    state_label: str
    target: str
    started: str
    due: str
    at_risk: str
    outcome: str  # met | breached | ""
    outcome_at: str  # met: when; breached: the due time that was missed
    noticed: str  # breached: when the sweep (or the late answer) recorded it
    reached_late: str  # breached: when it was eventually reached
    paused_total: str
    agreed: bool


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    reason: str = ""


@dataclass(frozen=True)
class HistoryRow:
    when: str
    actor: str
    changes: list[Change]
    reason: str
    internal_note: str
    public: bool


@dataclass
class DeskPage:
    ticket: Ticket
    zone: str
    messages: list[Message]
    opening_files: list[Attachment]
    clocks: list[ClockRow]
    history: list[HistoryRow]
    agreements: list[Agreement]
    sessions: list[RemoteSession]
    proposal: bool


def person(user) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.email


def _target(clock: Clock) -> str:
    if clock.target_amount is None:
        return "—"
    return f"{clock.target_amount} {TargetUnit(clock.target_unit).label}"


def clock_row(clock: Clock, zone: str, now: datetime) -> ClockRow:
    def at(value):
        return local_time(value, zone) or "—"

    state = clock_summary(clock, now)
    outcome = outcome_at = noticed = reached_late = ""
    if state == SlaState.BREACHED:
        # Recorded, or running past its due time before the sweep got to it: either way the
        # target missed is the due time.
        outcome, outcome_at = "breached", at(clock.due_at)
        noticed = local_time(clock.breached_at, zone)
        reached_late = local_time(clock.met_at, zone)
    elif state == SlaState.MET:
        outcome, outcome_at = "met", at(clock.met_at)
    hours, rest = divmod(int(clock.paused_total.total_seconds()), 3600)
    return ClockRow(
        metric=clock.metric,
        label=str(Metric(clock.metric).label),
        state=state,
        state_label=str(SlaState(state).label),
        target=_target(clock),
        started=at(clock.started_at),
        due=at(clock.due_at),
        at_risk=at(clock.at_risk_at),
        outcome=outcome,
        outcome_at=outcome_at,
        noticed=noticed,
        reached_late=reached_late,
        paused_total=f"{hours}:{rest // 60:02d}",
        agreed=clock.agreed,
    )


_ISO = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d)?(?:[+-]\d\d:\d\d|Z)?")
_STATUS_FIELDS = {EventField.AGREEMENT: AgreementStatus, EventField.REMOTE_SESSION: SessionStatus}


class Labels:
    """The labels of the codes a page shows, translated once per page (a long history would
    otherwise translate the same few words hundreds of times)."""

    def __init__(self) -> None:
        self.fields = {value: str(label) for value, label in EventField.choices}
        self.kinds = {value: str(label) for value, label in MessageKind.choices}
        self.codes = {
            field_name: {value: str(label) for value, label in choices.choices}
            for field_name, choices in (*_LABELS.items(), *_STATUS_FIELDS.items())
        }

    def value(self, field_name: str, value: str) -> str:
        """A recorded value as people read it: labels for codes, moments to the minute without
        their offset (stored in the contract's zone, which the page names)."""
        if not value:
            return "—"
        if field_name == EventField.OPENED:
            return history.value_text(field_name, value)  # "P1 portal": priority · channel
        codes = self.codes.get(field_name)
        if codes is not None:
            if value in codes:
                return codes[value]
            if field_name in _STATUS_FIELDS:
                code, _sep, rest = value.partition(" ")
                if code in codes:
                    value = f"{codes[code]} {rest}".strip()
        return _ISO.sub(r"\1 \2", value) if "T" in value else value


def history_row(event: TicketEvent, zone: str, labels: Labels | None = None) -> HistoryRow:
    labels = labels or Labels()
    changes = [
        Change(
            label=labels.fields.get(c["field"], ""),
            before=labels.value(c["field"], c["before"]) if c["before"] else "",
            after=labels.value(c["field"], c["after"]),
            reason=c.get("reason", ""),
        )
        for c in event.all_changes
    ]
    return HistoryRow(
        when=local_time(event.at, zone),
        actor=person(event.actor),
        changes=changes,
        reason=event.reason_text,
        internal_note=event.internal_note,
        public=event.public,
    )


def desk_page(ticket: Ticket, *, now: datetime) -> DeskPage:
    """Everything the page shows of `ticket` (loaded with its contract, customer, tier, product,
    version and people): one query per section, whatever the size of the thread."""
    zone = ticket.contract.timezone
    files = list(
        Attachment.objects.filter(ticket=ticket)
        .only("name", "size", "message_id", "ticket_id")
        .order_by("uploaded_at", "pk")
    )
    # One reverse() for every file's link (the thread may list hundreds).
    marker = 987654321
    head, _sep, tail = reverse(
        "admin:tickets_ticket_attachment", args=[ticket.pk, marker]
    ).partition(str(marker))
    files_of: dict[int | None, list[Attachment]] = defaultdict(list)
    for attachment in files:
        attachment.url = f"{head}{attachment.pk}{tail}"
        files_of[attachment.message_id].append(attachment)
    labels = Labels()
    messages = list(
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .only(
            "body",
            "kind",
            "public",
            "created_at",
            "ticket_id",
            "author__first_name",
            "author__last_name",
            "author__email",
            "author__is_staff",
        )
        .order_by("created_at", "pk")
    )
    for message in messages:
        message.files = files_of.get(message.pk, [])
        message.when = local_time(message.created_at, zone)
        message.by = person(message.author)
        message.kind_label = labels.kinds.get(message.kind, message.kind)
    clocks = sorted(
        Clock.objects.filter(ticket=ticket), key=lambda c: METRIC_ORDER.get(c.metric, 9)
    )
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "pk")
    agreements = list(
        Agreement.objects.filter(ticket=ticket).select_related("proposed_by", "decided_by")
    )
    for agreement in agreements:
        agreement.due = local_time(agreement.due_at, zone)
    sessions = list(RemoteSession.objects.filter(ticket=ticket).select_related("engineer"))
    for session in sessions:
        session.starts = local_time(session.starts_at, zone)
        session.open = session.status == SessionStatus.REQUESTED
    return DeskPage(
        ticket=ticket,
        zone=zone,
        messages=messages,
        opening_files=files_of.get(None, []),
        clocks=[clock_row(c, zone, now) for c in clocks],
        history=[history_row(e, zone, labels) for e in events],
        agreements=agreements,
        sessions=sessions,
        proposal=any(a.status == AgreementStatus.PROPOSED for a in agreements),
    )
