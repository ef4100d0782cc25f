"""The SLA sweep: find running clocks that are due (or at risk) and not yet flagged, claim each
exactly once, and write the history entry, the alert and its deliveries (one outbox row per
recipient, tickets.notifications) in the same transaction.

The sweep looks at state ("due and not flagged"), never at "what fell due since the last tick",
so a missed, late or doubled tick is harmless and the first run after an outage catches up.

Concurrency: the ticket rows are locked first (FOR NO KEY UPDATE SKIP LOCKED on PostgreSQL: the
parent-first order of the ticket services, so no deadlock; a ticket someone else holds is left
for the next tick), then the clocks are claimed with one conditional UPDATE
(`... WHERE id IN (...) AND breached_at IS NULL ... RETURNING id`), atomic per row: a clock goes
to one winner only, and only the winner writes the event and the alert. SQLite serialises
writers (IMMEDIATE transactions) and supports RETURNING since 3.35; the statements are the same.
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet

from core.sql import in_ids
from sla.models import Metric
from tickets import history
from tickets.models import AlertKind, Clock, ClockAlert, EventField, SlaState, Ticket, TicketEvent
from tickets.notifications.events import alert_deliveries_record
from tickets.sla.summary import tickets_refresh_sla


@dataclass(frozen=True)
class EvaluationResult:
    breached: int
    at_risk: int


def clocks_due_for_breach(*, now: datetime) -> QuerySet[Clock]:
    """Running clocks past their due time and not flagged, oldest first. The filter is the
    predicate of the partial index `clock_breach_scan`, so the scan reads only what is due."""
    return Clock.objects.filter(
        state=SlaState.RUNNING, breached_at__isnull=True, due_at__lte=now
    ).order_by("due_at")


def clocks_due_for_at_risk(*, now: datetime) -> QuerySet[Clock]:
    """Running clocks past their at-risk mark, not flagged and not yet due (a due clock gets the
    breach alert only), through the partial index `clock_at_risk_scan`."""
    return Clock.objects.filter(
        state=SlaState.RUNNING,
        at_risk_flagged_at__isnull=True,
        at_risk_at__lte=now,
        breached_at__isnull=True,
        due_at__gt=now,
    ).order_by("at_risk_at")


@transaction.atomic
def clocks_evaluate(*, now: datetime, limit: int = 5000) -> EvaluationResult:
    """Flag every due clock breached and every clock past 75 % at risk, once each, with a history
    entry and an alert whose deliveries wait in the outbox; drains start after commit. At most
    `limit` clocks of each kind per call: the rest are caught by the next tick.

    A clock that is breached before it was flagged at risk is flagged at risk silently (same
    moment, no at-risk alert), so no stale at-risk alert can follow its breach alert.

    The flagged tickets' SLA summary is brought up to date by the rule the services use
    (tickets.sla.summary), set-wise: one read of their clocks, one write."""
    ts = connection.ops.adapt_datetimefield_value(now)
    breached = _sweep(
        kind=AlertKind.BREACHED,
        candidates=clocks_due_for_breach(now=now),
        assignments=(
            "state = %s, breached_at = %s, at_risk_flagged_at = COALESCE(at_risk_flagged_at, %s),"
            " updated_at = %s",
            [SlaState.BREACHED.value, ts, ts, ts],
        ),
        conditions=(
            "state = %s AND breached_at IS NULL AND due_at <= %s",
            [SlaState.RUNNING.value, ts],
        ),
        now=now,
        limit=limit,
    )
    at_risk = _sweep(
        kind=AlertKind.AT_RISK,
        candidates=clocks_due_for_at_risk(now=now),
        assignments=("at_risk_flagged_at = %s, updated_at = %s", [ts, ts]),
        conditions=(
            "state = %s AND at_risk_flagged_at IS NULL AND breached_at IS NULL"
            " AND at_risk_at <= %s AND due_at > %s",
            [SlaState.RUNNING.value, ts, ts],
        ),
        now=now,
        limit=limit,
    )
    return EvaluationResult(breached=breached, at_risk=at_risk)


def clocks_evaluate_all(
    *, now: datetime, limit: int = 5000, budget: float = 40.0
) -> EvaluationResult:
    """Run clocks_evaluate batch after batch (each its own transaction) while batches come back
    full, within `budget` seconds: a burst of thousands of breaches at one moment is flagged in
    one tick, not one batch a minute."""
    started = time.monotonic()
    breached = at_risk = 0
    while True:
        batch = clocks_evaluate(now=now, limit=limit)
        breached += batch.breached
        at_risk += batch.at_risk
        full = batch.breached >= limit or batch.at_risk >= limit
        if not full or time.monotonic() - started > budget:
            return EvaluationResult(breached=breached, at_risk=at_risk)


def _sweep(*, kind, candidates, assignments, conditions, now, limit) -> int:
    rows = list(candidates.values_list("pk", "ticket_id", "metric")[:limit])
    if not rows:
        return 0
    locked = _lock_tickets({ticket_id for _pk, ticket_id, _m in rows})
    won = _claim(
        ids=[pk for pk, ticket_id, _m in rows if ticket_id in locked],
        assignments=assignments,
        conditions=conditions,
    )
    winners = [row for row in rows if row[0] in won]
    if not winners:
        return 0
    _record(kind=kind, ids=sorted(won), now=now)
    alert_deliveries_record(kind=kind, clock_ids=sorted(won), now=now)
    tickets_refresh_sla({ticket_id for _pk, ticket_id, _m in winners}, now)
    return len(winners)


def _lock_tickets(ticket_ids: set[int]) -> set[int]:
    """Lock the tickets, parent rows first and in id order; skip those someone else holds."""
    return set(
        Ticket.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(pk__in=ticket_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim(*, ids: list[int], assignments: tuple[str, list], conditions: tuple[str, list]):
    """One conditional UPDATE of the clocks `ids`; returns the ids this transaction won.
    `assignments` and `conditions` are (SQL with %s placeholders, values), never user input."""
    if not ids:
        return set()
    set_sql, set_params = assignments
    where_sql, where_params = conditions
    table = connection.ops.quote_name(Clock._meta.db_table)
    id_sql, id_params = in_ids("id", ids)
    sql = (
        f"UPDATE {table} SET {set_sql} "  # noqa: S608
        f"WHERE {id_sql} AND {where_sql} RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *id_params, *where_params])
        return {row[0] for row in cursor.fetchall()}


def _record(*, kind: str, ids: list[int], now: datetime) -> None:
    """History entries and outbox rows of the clocks this transaction claimed, written set-wise
    (INSERT ... SELECT from the claimed clocks): two statements whatever the count, where
    bulk_create spent most of a tick building a thousand model instances."""
    qn = connection.ops.quote_name
    ts = connection.ops.adapt_datetimefield_value(now)
    clocks = qn(Clock._meta.db_table)
    id_sql, id_params = in_ids("id", ids)
    # The reason is stored as a code (shown in each reader's language) and its English text.
    system = {metric: history.sweep_reason(kind, metric) for metric in Metric.values}
    reasons = [(metric, str(reason)) for metric, reason in system.items()]
    codes = [(metric, reason.code) for metric, reason in system.items()]
    fields = [(metric, EventField(f"sla_{metric}").value) for metric in Metric.values]
    after = SlaState.BREACHED if kind == AlertKind.BREACHED else SlaState.AT_RISK
    event_columns = _columns(
        TicketEvent,
        [
            "ticket",
            "actor",
            "at",
            "field",
            "before",
            "after",
            "reason",
            "reason_code",
            "public",
            "changes",
            "internal_note",
        ],
    )
    no_changes = "CAST('[]' AS jsonb)" if connection.vendor == "postgresql" else "'[]'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(TicketEvent._meta.db_table)} ({event_columns}) "  # noqa: S608
            f"SELECT ticket_id, NULL, %s, {_case(fields)}, %s, %s, {_case(reasons)}, "
            f"{_case(codes)}, %s, {no_changes}, '' "
            f"FROM {clocks} WHERE {id_sql}",
            [
                ts,
                *_flat(fields),
                SlaState.RUNNING.value,
                after.value,
                *_flat(reasons),
                *_flat(codes),
                True,
                *id_params,
            ],
        )
        # The unique (clock, kind) is the last guard: a second alert row is never written.
        alert_columns = _columns(ClockAlert, ["clock", "kind", "created_at"])
        cursor.execute(
            f"INSERT INTO {qn(ClockAlert._meta.db_table)} ({alert_columns}) "  # noqa: S608
            f"SELECT id, %s, %s FROM {clocks} WHERE {id_sql} "
            f"ON CONFLICT ({_columns(ClockAlert, ['clock', 'kind'])}) DO NOTHING",
            [kind.value if isinstance(kind, AlertKind) else kind, ts, *id_params],
        )


def _columns(model, names: list[str]) -> str:
    return ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in names
    )


def _case(pairs: list[tuple[str, str]]) -> str:
    """`CASE metric WHEN %s THEN %s ... END`, values from _flat(pairs)."""
    return "CASE metric " + " ".join("WHEN %s THEN %s" for _ in pairs) + " END"


def _flat(pairs: list[tuple[str, str]]) -> list[str]:
    return [value for pair in pairs for value in pair]
