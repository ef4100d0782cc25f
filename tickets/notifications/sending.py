"""The one sending path of the outbox: ticket notifications, pages, SLA alerts, answers to
e-mail and chat webhooks.

A drain claims one row at a time (a conditional UPDATE that moves the row's `next_attempt_at`
one claim period ahead: on PostgreSQL the candidate is picked `FOR UPDATE SKIP LOCKED`, so
parallel drains never wait for each other), delivers it, and marks it sent with the moment the
server took it, or schedules the next attempt (1, 2, 4 … minutes, at most an hour). It goes on
until nothing is due, or its time budget is spent (then it asks for a successor).

What a crash costs: the row in flight only, due again when its claim runs out (OUTBOX_CLAIM
seconds); if the mail had gone out, that one message goes out twice. A database error after
the delivery is retried (with a fresh connection) before the claim runs out, so a mailed row is
not recorded as unsent. SMTP, webhooks and the database have connect and read timeouts
(settings), so no server can hold a sender longer than its claim."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F

from tickets.models import AlertKind, Clock, SlaState, Ticket
from tickets.notifications import render
from tickets.notifications.models import Channel, Notification
from tickets.notifications.selectors import outbox_lag
from tickets.notifications.slots import drains_start, slot_release, slot_renew
from tickets.notifications.webhooks import webhook_post

logger = logging.getLogger(__name__)

# An at-risk alert whose clock has ended meanwhile says nothing useful any more.
MOOT_AT_RISK_STATES = {SlaState.MET, SlaState.BREACHED, SlaState.NOT_APPLICABLE}
_DB_ERRORS = (OperationalError, InterfaceError)
# Seconds of a claim that may pass before a sender renews it ahead of a delivery.
RENEW_AFTER = 5.0


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    lost_claims: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 1, 2, 4, ... minutes, at most an hour (the
    base and the cap are OUTBOX_RETRY_BASE and OUTBOX_RETRY_MAX seconds)."""
    base = settings.OUTBOX_RETRY_BASE * 2 ** min(attempts - 1, 16)
    return timedelta(seconds=min(base, settings.OUTBOX_RETRY_MAX))


def claim_period() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_CLAIM)


def _db(operation: Callable, *, tries: int = 5):
    """Run a short database operation, reconnecting after a lost connection (a restarted or
    terminated server). Bounded: about 8 s in all, well inside a claim."""
    for attempt in range(tries):
        try:
            return operation()
        except _DB_ERRORS:
            if attempt == tries - 1:
                raise
            logger.warning("database error in the outbox sender; reconnecting", exc_info=True)
            connection.close()
            time.sleep(min(0.5 * 2**attempt, 4))
    return None


def _claim_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(Notification._meta.db_table)
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    due = "sent_at IS NULL AND next_attempt_at <= %s"
    return (
        f"UPDATE {table} SET next_attempt_at = %s, claimed_by = %s "  # noqa: S608
        f"WHERE id = (SELECT id FROM {table} WHERE {due} "
        f"ORDER BY urgency, next_attempt_at, id LIMIT 1{lock}) AND {due} RETURNING id"
    )


def outbox_claim(*, runner: str, now: datetime) -> int | None:
    """Claim the most urgent due row for `runner` until now + OUTBOX_CLAIM; None when nothing
    is due. One statement, atomic: a row goes to one runner only."""
    ts = connection.ops.adapt_datetimefield_value(now)
    until = connection.ops.adapt_datetimefield_value(now + claim_period())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [until, runner, ts, ts])
        row = cursor.fetchone()
    return row[0] if row else None


def _renew(pk: int, runner: str, now: datetime) -> bool:
    """Extend the claim before a delivery; False when it was lost (another runner has it)."""
    return bool(
        Notification.objects.filter(pk=pk, claimed_by=runner, sent_at__isnull=True).update(
            next_attempt_at=now + claim_period()
        )
    )


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _mark_sent(pk: int, at: datetime, skipped: str = "") -> None:
    # Raw SQL: the two statements every delivery runs, without the ORM's compile step.
    table = connection.ops.quote_name(Notification._meta.db_table)
    _execute(
        f"UPDATE {table} SET sent_at = %s, attempts = attempts + 1, claimed_by = '', "  # noqa: S608
        "last_error = '', skipped = %s WHERE id = %s AND sent_at IS NULL",
        [connection.ops.adapt_datetimefield_value(at), skipped, pk],
    )


def _mark_failed(pk: int, attempts: int, at: datetime, error: str) -> None:
    Notification.objects.filter(pk=pk, sent_at__isnull=True).update(
        attempts=F("attempts") + 1,
        next_attempt_at=at + retry_delay(attempts),
        claimed_by="",
        last_error=error[:2000],
    )


class Mailer:
    """One SMTP connection for a drain, opened on first use and reopened after a failure."""

    def __init__(self) -> None:
        self.connection = None

    def open(self) -> None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()

    def send(self, message) -> None:
        if not self.connection.send_messages([message]):
            raise RuntimeError("the mail backend sent nothing")

    def reset(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # a broken connection cannot be closed cleanly
                logger.debug("closing a broken SMTP connection", exc_info=True)
        self.connection = None


def _load(pk: int) -> Notification:
    """The row and what rendering reads, in two small queries (one join of every table costs
    more to plan than to run)."""
    row = Notification.objects.select_related("alert__clock", "inbound", "webhook").get(pk=pk)
    if row.ticket_id:
        ticket = Ticket.objects.select_related(
            "contract__customer", "contract__tier", "assignee"
        ).get(pk=row.ticket_id)
        row.ticket = ticket
        if row.alert_id:
            row.alert.clock.ticket = ticket
    return row


def _renew_if_old(pk: int, runner: str, claimed_at: float, clock) -> bool:
    """Renew the claim before delivering when part of it is spent already (a slow connect):
    the delivery then always has a whole claim period before anyone else may take the row."""
    if time.monotonic() - claimed_at < RENEW_AFTER:
        return True
    return bool(_db(lambda: _renew(pk, runner, clock())))


def outbox_deliver(
    *,
    pk: int,
    runner: str,
    mailer: Mailer,
    clock: Callable[[], datetime],
    claimed_at: float | None = None,
) -> str:
    """Deliver one claimed row: "sent", "failed", "skipped" or "lost" (the claim)."""
    claimed_at = time.monotonic() if claimed_at is None else claimed_at
    row = _db(lambda: _load(pk))
    at_risk = row.alert_id and row.alert.kind == AlertKind.AT_RISK
    if at_risk and row.alert.clock.state in MOOT_AT_RISK_STATES:
        note = f"not sent: the clock is {row.alert.clock.state} by now"
        _db(lambda: _mark_sent(pk, clock(), skipped=note))
        return "skipped"
    try:
        needs_clocks = row.ticket_id and not row.alert_id  # an alert renders its own clock
        clocks = list(Clock.objects.filter(ticket_id=row.ticket_id)) if needs_clocks else []
        if row.channel == Channel.WEBHOOK:
            text = render.chat_text(row, clocks)
            if not _renew_if_old(pk, runner, claimed_at, clock):
                return "lost"
            webhook_post(row.webhook, text)
        else:
            message = render.email_for(row, clocks)
            mailer.open()
            if not _renew_if_old(pk, runner, claimed_at, clock):
                return "lost"
            mailer.send(message)
    except DatabaseError:
        raise
    except Exception as exc:  # any delivery failure: keep the row, try again later
        mailer.reset()
        attempts = row.attempts + 1
        logger.warning(
            "outbox row %s not delivered (attempt %s): %s", pk, attempts, type(exc).__name__
        )
        error = f"{type(exc).__name__}: {exc}"
        _db(lambda: _mark_failed(pk, attempts, clock(), error))
        return "failed"
    delivered_at = clock()
    _db(lambda: _mark_sent(pk, delivered_at))
    return "sent"


def outbox_drain(
    *, slot: int | None = None, clock: Callable[[], datetime], budget: float | None = None
) -> DrainResult:
    """Deliver due rows one by one until none is due or `budget` seconds (default
    OUTBOX_DRAIN_BUDGET) are spent; then hand the slot back, and ask for a successor when rows
    are still due. `clock` is read for each claim and each delivery time."""
    budget = settings.OUTBOX_DRAIN_BUDGET if budget is None else budget
    runner = uuid.uuid4().hex
    result = DrainResult()
    mailer = Mailer()
    started = time.monotonic()
    renewed = started
    try:
        while time.monotonic() - started < budget:
            if slot is not None and time.monotonic() - renewed > 10:
                _db(lambda: slot_renew(slot, clock()))
                renewed = time.monotonic()
            pk = _db(lambda: outbox_claim(runner=runner, now=clock()))
            if pk is None:
                break
            outcome = outbox_deliver(
                pk=pk, runner=runner, mailer=mailer, clock=clock, claimed_at=time.monotonic()
            )
            if outcome == "lost":
                result.lost_claims += 1
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
    finally:
        mailer.reset()
        if slot is not None:
            _db(lambda: slot_release(slot))
    # Rows may have become due while this drain finished: start one if so.
    _db(lambda: drains_start(now=clock()))
    return result


def outbox_behind(now: datetime) -> bool:
    """True when a due row has waited OUTBOX_MAX_LAG or longer, the lag at which /readyz fails:
    no sender has taken it (the sending workers are down, their broker consumer stopped
    consuming, or a burst has put them far behind)."""
    lag = outbox_lag(now)
    return lag is not None and lag >= settings.OUTBOX_MAX_LAG


def outbox_rescue(*, clock: Callable[[], datetime]) -> DrainResult | None:
    """The SLA sweep's safety net: when the outbox is behind, drain it here for at most
    OUTBOX_RESCUE_BUDGET seconds, beside any senders still at work (the claims keep anything
    from going out twice). None when the senders are keeping up."""
    if not _db(lambda: outbox_behind(clock())):
        return None
    result = outbox_drain(clock=clock, budget=settings.OUTBOX_RESCUE_BUDGET)
    logger.warning(
        "outbox behind (a due row waited over %s s): the SLA sweep sent %s rows itself",
        settings.OUTBOX_MAX_LAG,
        result.sent,
    )
    return result


@transaction.atomic
def outbox_retry(*, ids: list[int], now: datetime) -> int:
    """Make unsent rows due at once (the admin's "retry now") and start a drain after commit."""
    count = Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(
        next_attempt_at=now, claimed_by=""
    )
    if count:
        transaction.on_commit(lambda: drains_start(now=now, wanted=1), robust=True)
    return count
