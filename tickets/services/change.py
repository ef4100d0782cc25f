"""One change of a locked ticket, as a unit of work.

    with ticket_change(ticket, by=user, now=now, reason=reason) as change:
        clock_pause(change.clocks[Metric.RESTORE], now)
        change.set_status(TicketStatus.WAITING)

On leaving the block: every clock whose state or due time moved gets its history entry, the
ticket's fields are saved if they changed, the history is written as one entry for the action
(tickets.history.grouped: the reason once, nothing that changes nothing, the staff's internal
note beside it), and the ticket's SLA summary is brought up to date. The clocks are locked
(after the ticket, which the caller has locked) the first time `change.clocks` is read; a
change that never reads them leaves them alone. An exception leaves the block without writing
anything: the caller's transaction rolls back."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property

from contracts.schedule import contract_schedule
from sla.business_time import Schedule
from tickets import history
from tickets.models import Clock, Ticket, TicketEvent
from tickets.services.locks import lock_clocks
from tickets.sla.summary import ticket_refresh_sla

# What the services change on the ticket row itself.
TICKET_FIELDS = (
    "status",
    "priority",
    "assignee_id",
    "first_response_at",
    "restored_at",
    "resolved_at",
    "closed_at",
    "unsupported_build",
)


def _ticket_facts(ticket: Ticket) -> tuple:
    return tuple(getattr(ticket, name) for name in TICKET_FIELDS)


class TicketChange:
    def __init__(
        self,
        ticket: Ticket,
        *,
        by,
        now: datetime,
        reason: str = "",
        internal_note: str = "",
        clocks: dict[str, Clock] | None = None,
    ) -> None:
        self.ticket = ticket
        self.by = by
        self.now = now
        self.reason = reason
        # Staff only: kept on the action's history entry, never shown to the customer.
        self.internal_note = internal_note
        # The reason written on the clocks' entries (default: the change's reason).
        self.clock_reason: str | None = None
        self.entries: list[TicketEvent] = []
        self._ticket_before = _ticket_facts(ticket)
        self._clocks = clocks
        self._clocks_before = history.clock_snapshot(clocks) if clocks is not None else None

    @property
    def clocks(self) -> dict[str, Clock]:
        """The ticket's clocks by metric, locked on first use."""
        if self._clocks is None:
            self._clocks = lock_clocks(self.ticket)
            self._clocks_before = history.clock_snapshot(self._clocks)
        return self._clocks

    @cached_property
    def schedule(self) -> Schedule:
        return contract_schedule(self.ticket.contract)

    def add(self, *entries: TicketEvent) -> None:
        self.entries.extend(entries)

    def set_status(self, status: str, *, reason: str | None = None) -> None:
        """Change the status (no entry when it is already `status`)."""
        if self.ticket.status == status:
            return
        before = self.ticket.status
        self.ticket.status = status
        self.add(
            history.status_changed(
                self.ticket,
                by=self.by,
                at=self.now,
                before=before,
                after=status,
                reason=self.reason if reason is None else reason,
            )
        )

    def finish(self, *, record: bool = True) -> list[TicketEvent]:
        """Write the change (see the module's docstring). With `record=False` the history entries
        are returned for the caller to write with others."""
        if self._clocks is not None:
            reason = self.reason if self.clock_reason is None else self.clock_reason
            self.entries += history.clock_changes(
                self.ticket,
                self._clocks_before,
                self._clocks,
                by=self.by,
                at=self.now,
                reason=reason,
            )
        if _ticket_facts(self.ticket) != self._ticket_before:
            self.ticket.save(
                update_fields=[*(f.removesuffix("_id") for f in TICKET_FIELDS), "updated_at"]
            )
        if record:
            self.entries = history.record(self.entries, internal_note=self.internal_note)
        else:
            self.entries = history.grouped(self.entries, internal_note=self.internal_note)
        if self._clocks is not None:
            ticket_refresh_sla(self.ticket, self.now, self._clocks)
        return self.entries


@contextmanager
def ticket_change(
    ticket: Ticket, *, by, now: datetime, reason: str = "", internal_note: str = ""
) -> Iterator[TicketChange]:
    change = TicketChange(ticket, by=by, now=now, reason=reason, internal_note=internal_note)
    yield change
    change.finish()
