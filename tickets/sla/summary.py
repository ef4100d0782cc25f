"""A ticket's SLA summary: the worst state its clocks show (`sla_state`) and the nearest due time
of a running clock (`next_due_at`), kept on the ticket row for lists, filters and ordering.

One rule, used by the ticket services (one ticket, clocks in hand) and by the sweep (the tickets
it flagged, set-wise): `clock_summary` says what one clock shows, `sla_summary` combines them."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.db import connection

from tickets.models import Clock, SlaState, Ticket
from tickets.sla.figures import sla_figures_mark

# Worst first (the order of the enum): a ticket shows the first state one of its clocks shows.
SEVERITY = list(SlaState)


class ClockFacts(NamedTuple):
    """What the summary reads of a clock (a Clock row has the same attributes)."""

    state: str
    due_at: datetime | None
    at_risk_at: datetime | None
    at_risk_flagged_at: datetime | None


FACT_FIELDS = ClockFacts._fields


def clock_summary(clock: Clock | ClockFacts, now: datetime) -> str:
    """What one clock shows: a running clock past its due time is breached even before the sweep
    has claimed it, and at risk once flagged or past its at-risk mark."""
    if clock.state == SlaState.RUNNING:
        if clock.due_at is not None and now > clock.due_at:
            return SlaState.BREACHED
        if clock.at_risk_flagged_at is not None or (
            clock.at_risk_at is not None and now >= clock.at_risk_at
        ):
            return SlaState.AT_RISK
        return SlaState.RUNNING
    return clock.state


def sla_summary(clocks: Iterable[Clock | ClockFacts], now: datetime) -> tuple[str, datetime | None]:
    """(worst state shown, nearest due time of a running clock) of a ticket's clocks."""
    clocks = list(clocks)
    states = {clock_summary(c, now) for c in clocks}
    state = next((s for s in SEVERITY if s in states), "")
    dues = [c.due_at for c in clocks if c.state == SlaState.RUNNING and c.due_at is not None]
    return state, (min(dues) if dues else None)


def ticket_refresh_sla(
    ticket: Ticket, now: datetime, clocks: dict[str, Clock] | list[Clock] | None = None
) -> Ticket:
    """Bring `ticket.sla_state` and `ticket.next_due_at` in line with its clocks (written only
    when they differ), and mark the ticket's month of the SLA report stale. Called by every
    service that changes clocks."""
    sla_figures_mark([ticket.opened_at])
    if clocks is None:
        clocks = list(Clock.objects.filter(ticket_id=ticket.pk))
    elif isinstance(clocks, dict):
        clocks = list(clocks.values())
    summary = sla_summary(clocks, now)
    if (ticket.sla_state, ticket.next_due_at) != summary:
        Ticket.objects.filter(pk=ticket.pk).update(sla_state=summary[0], next_due_at=summary[1])
        ticket.sla_state, ticket.next_due_at = summary
    return ticket


def tickets_refresh_sla(ticket_ids: Iterable[int], now: datetime) -> int:
    """The same for many tickets at once (the sweep): one read of their clocks, one read of their
    current summaries, and the changed ones written in one statement per WRITE_BATCH tickets;
    their months of the SLA report marked stale. Returns how many tickets changed."""
    ids = list(ticket_ids)
    if not ids:
        return 0
    facts: dict[int, list[ClockFacts]] = defaultdict(list)
    for ticket_id, *values in Clock.objects.filter(ticket_id__in=ids).values_list(
        "ticket_id", *FACT_FIELDS
    ):
        facts[ticket_id].append(ClockFacts(*values))
    current = Ticket.objects.filter(pk__in=ids).values_list(
        "pk", "sla_state", "next_due_at", "opened_at"
    )
    changed = []
    opened = []
    for pk, state, next_due_at, opened_at in current:
        opened.append(opened_at)
        summary = sla_summary(facts[pk], now)
        if (state, next_due_at) != summary:
            changed.append((pk, *summary))
    for start in range(0, len(changed), WRITE_BATCH):
        _write_summaries(changed[start : start + WRITE_BATCH], now)
    sla_figures_mark(opened)
    return len(changed)


# Three parameters a ticket: well under SQLite's 32,766 and PostgreSQL's 65,535 per statement.
WRITE_BATCH = 2000


def _write_summaries(rows: list[tuple[int, str, datetime | None]], now: datetime) -> None:
    """One UPDATE ... FROM the new values: on PostgreSQL three arrays unnested side by side
    (three parameters whatever the count), elsewhere a VALUES list (SQLite since 3.33). Django's
    bulk_update builds a CASE per field and row, which costs more Python than the sweep's SQL."""
    ops = connection.ops
    table = ops.quote_name(Ticket._meta.db_table)
    stamp = ops.adapt_datetimefield_value(now)
    assign = "sla_state = v.state, next_due_at = v.due, updated_at = %s"
    if connection.vendor == "postgresql":
        ids, states, dues = (list(column) for column in zip(*rows, strict=True))
        sql = (
            f"UPDATE {table} SET {assign} "  # noqa: S608 (placeholders only)
            "FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[]) AS v(id, state, due) "
            f"WHERE {table}.id = v.id"
        )
        params = [stamp, ids, states, dues]
    else:
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        sql = (
            f"WITH v(id, state, due) AS (VALUES {values}) "  # noqa: S608 (placeholders only)
            f"UPDATE {table} SET {assign} FROM v WHERE {table}.id = v.id"
        )
        params = [
            *(
                value
                for pk, state, due in rows
                for value in (pk, state, ops.adapt_datetimefield_value(due))
            ),
            stamp,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
