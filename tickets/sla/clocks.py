"""The life of an SLA clock: start, meet, pause, resume, retarget.

Plain functions over `sla.models.Clock` rows. The ticket services call them while they hold the
ticket's row lock and the clock rows (select_for_update); nothing here reads the clock, commits or
writes history. Each function that changes a clock saves it with `update_fields` and says so by
returning True.

Rules (docs/spec.md "SLA targets", "After the first response", "Waiting for the customer"):

* Every clock starts when the ticket is submitted, at the first service instant (`started_at`).
* `due_at` is the last instant at which the target is still met: met at `now <= due_at`.
* `at_risk_at` is the instant at which `SLA_AT_RISK_RATIO` of the target's service time has
  elapsed. Paused service time moves both `due_at` and `at_risk_at` on (`paused_total`).
* A clock that fell due while running stays running until the beat sweep claims the breach (and
  alerts); pausing it does not hide the breach. A clock met after its due time is breached.
* A met clock stays met. A breach, once recorded, is final for that clock (docs/spec.md
  "Breaches and alerts"): no downgrade, agreed time, recompute or reopen turns it into met,
  running or not applicable, and its `due_at` stays the due time that was missed. A running
  clock already past its due time is breached in fact: it is left for the sweep to claim.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from django.conf import settings

from sla.business_time import Schedule
from sla.models import Metric, Target, Tier
from sla.services import target_due, targets_for
from tickets.models import Clock, SlaState, TicketStatus

__all__ = [
    "at_risk_instant",
    "clock_meet",
    "clock_not_applicable",
    "clock_pause",
    "clock_reopen",
    "clock_resume",
    "clock_set_due",
    "clocks_build",
    "clocks_retarget",
]

_FACTS = [
    "state",
    "started_at",
    "target_amount",
    "target_unit",
    "due_at",
    "at_risk_at",
    "agreed",
    "paused_at",
    "paused_total",
    "met_at",
    "breached_at",
]
_SAVE_FIELDS = [*_FACTS, "updated_at"]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _facts(clock: Clock) -> tuple:
    return tuple(getattr(clock, name) for name in _FACTS)


def _save(clock: Clock) -> None:
    clock.save(update_fields=_SAVE_FIELDS)


def at_risk_instant(
    schedule: Schedule, start: datetime, due: datetime, ratio: float | None = None
) -> datetime:
    """The instant (UTC) at which `ratio` (default SLA_AT_RISK_RATIO) of the service time
    between `start` and `due` has elapsed."""
    if ratio is None:
        ratio = settings.SLA_AT_RISK_RATIO
    total = schedule.service_time_between(start, due)
    return _utc(schedule.add_service_time(start, total * ratio))


def _shift(schedule: Schedule, value: datetime | None, by: timedelta) -> datetime | None:
    if value is None or by <= timedelta(0):
        return value
    return _utc(schedule.add_service_time(value, by))


def _apply_target(clock: Clock, schedule: Schedule, target: Target) -> None:
    """Due and at-risk instants of `target` counted from `clock.started_at`, moved on by the
    service time the clock has spent paused."""
    base = target_due(
        schedule=schedule, start=clock.started_at, amount=target.amount, unit=target.unit
    )
    clock.target_amount = target.amount
    clock.target_unit = target.unit
    clock.due_at = _shift(schedule, _utc(base), clock.paused_total)
    clock.at_risk_at = _shift(
        schedule, at_risk_instant(schedule, clock.started_at, base), clock.paused_total
    )


def _clear_target(clock: Clock) -> None:
    clock.state = SlaState.NOT_APPLICABLE
    clock.target_amount = None
    clock.target_unit = ""
    clock.due_at = None
    clock.at_risk_at = None
    clock.paused_at = None


def _has_amount(target: Target | None) -> bool:
    return target is not None and target.amount is not None


def clocks_build(
    *,
    ticket,
    schedule: Schedule,
    tier: Tier,
    priority: str,
    opened_at: datetime,
    fix_applicable: bool,
    targets: Mapping[str, Target] | None = None,
) -> list[Clock]:
    """The response, restore and fix clocks of a new ticket, not saved (`ticket` may be None
    until the ticket row exists; ticket_open inserts them with one bulk_create). A metric
    without a target at this tier and priority, or the fix metric when `fix_applicable` is
    False, gets a clock in state not_applicable without a due time."""
    start = _utc(schedule.clock_start(opened_at))
    if targets is None:
        targets = targets_for(tier=tier, priority=priority)
    clocks = []
    for metric in Metric.values:
        clock = Clock(ticket=ticket, metric=metric, started_at=start)
        target = targets.get(metric)
        if (metric == Metric.FIX and not fix_applicable) or not _has_amount(target):
            _clear_target(clock)
        else:
            clock.state = SlaState.RUNNING
            _apply_target(clock, schedule, target)
        clocks.append(clock)
    return clocks


def _end_pause(clock: Clock, schedule: Schedule | None, now: datetime) -> None:
    if clock.paused_at is not None and schedule is not None:
        paused = schedule.service_time_between(clock.paused_at, now)
        if paused > timedelta(0):
            clock.paused_total += paused
            clock.due_at = _shift(schedule, clock.due_at, paused)
            clock.at_risk_at = _shift(schedule, clock.at_risk_at, paused)
    clock.paused_at = None


def clock_meet(clock: Clock, now: datetime, schedule: Schedule | None = None) -> bool:
    """Record that the clock's target was reached at `now`: met when `now <= due_at`, else
    breached (the breach is recorded now if the sweep has not yet claimed it). A breached clock
    keeps its state and records when it was eventually reached. Pass `schedule` so that a paused
    clock accounts for its last pause."""
    if clock.state == SlaState.PAUSED:
        _end_pause(clock, schedule, now)
        clock.state = SlaState.RUNNING
    if clock.state == SlaState.RUNNING:
        if clock.due_at is not None and now > clock.due_at:
            clock.state = SlaState.BREACHED
            clock.breached_at = clock.breached_at or now
        else:
            clock.state = SlaState.MET
        clock.met_at = now
    elif clock.state == SlaState.BREACHED and clock.met_at is None:
        clock.met_at = now
    else:
        return False
    _save(clock)
    return True


def clock_pause(clock: Clock, now: datetime) -> bool:
    """Pause a running clock (waiting for the customer). A clock already past its due time is
    left running: the breach stands and the sweep claims it."""
    if clock.state != SlaState.RUNNING:
        return False
    if clock.due_at is not None and now > clock.due_at:
        return False
    clock.state = SlaState.PAUSED
    clock.paused_at = now
    _save(clock)
    return True


def clock_resume(clock: Clock, schedule: Schedule, now: datetime) -> bool:
    """Resume a paused clock: the service time spent paused moves its due and at-risk instants
    on and is added to `paused_total`."""
    if clock.state != SlaState.PAUSED:
        return False
    _end_pause(clock, schedule, now)
    clock.state = SlaState.RUNNING
    _save(clock)
    return True


def clock_reopen(clock: Clock, schedule: Schedule, now: datetime) -> bool:
    """A clock reached by a resolution that did not hold runs again. The service time since it
    was reached counts as paused (the customer was checking the resolution), so its due time
    moves on by it. A breached clock stays breached, no longer reached."""
    if clock.met_at is None or clock.state not in (SlaState.MET, SlaState.BREACHED):
        return False
    if clock.state == SlaState.MET:
        clock.paused_at = clock.met_at
        _end_pause(clock, schedule, now)
        clock.state = SlaState.RUNNING
    clock.met_at = None
    _save(clock)
    return True


def clock_not_applicable(clock: Clock) -> bool:
    """Take a running or paused clock out of the SLA (unsupported build). Met and breached
    clocks keep their facts."""
    if clock.state not in (SlaState.RUNNING, SlaState.PAUSED):
        return False
    _clear_target(clock)
    _save(clock)
    return True


def clock_set_due(clock: Clock, schedule: Schedule, due_at: datetime, now: datetime) -> bool:
    """Give the clock an agreed due time (docs/spec.md "a new resolution time agreed by both
    sides"). A breached clock keeps its outcome and the due time it missed; a paused one stays
    paused from now."""
    if clock.state in (SlaState.NOT_APPLICABLE, SlaState.MET, SlaState.BREACHED):
        return False
    if clock.met_at is not None or _past_due(clock, now):
        return False
    if clock.state == SlaState.PAUSED:
        # The pause so far is accounted for; the agreed time moves on only by later waiting.
        _end_pause(clock, schedule, now)
        clock.paused_at = now
    clock.due_at = _utc(due_at)
    clock.at_risk_at = at_risk_instant(schedule, clock.started_at, clock.due_at)
    clock.agreed = True
    _save(clock)
    return True


def _past_due(clock: Clock, now: datetime) -> bool:
    """A running clock whose due time has passed: breached in fact, whether or not the sweep has
    claimed it yet."""
    return clock.state == SlaState.RUNNING and clock.due_at is not None and now > clock.due_at


def _gain_target(clock: Clock, ticket, now: datetime) -> None:
    """State of a clock that had no target and now has one (an SLA target was added)."""
    reached = {
        Metric.RESPONSE: ticket.first_response_at,
        Metric.RESTORE: ticket.restored_at,
        Metric.FIX: ticket.resolved_at,
    }[clock.metric]
    if reached is not None:
        clock.met_at = reached
        if reached <= clock.due_at:
            clock.state = SlaState.MET
        else:
            clock.state = SlaState.BREACHED
            clock.breached_at = clock.breached_at or now
    elif ticket.status == TicketStatus.WAITING and clock.metric != Metric.RESPONSE:
        clock.state = SlaState.PAUSED
        clock.paused_at = now
    else:
        clock.state = SlaState.RUNNING


def clocks_retarget(
    *,
    ticket,
    schedule: Schedule,
    tier: Tier,
    priority: str,
    now: datetime,
    clocks: Iterable[Clock] | None = None,
    targets: Mapping[str, Target] | None = None,
) -> list[Clock]:
    """Recompute the due and at-risk instants of a ticket's clocks from its original start, the
    current targets of `tier` and `priority`, and the time each clock spent paused. Only what is
    still running (or paused) is retargeted: met, breached (recorded, or running past its due
    time) and agreed clocks keep their outcome and due time; a clock whose target disappeared
    becomes not_applicable. Returns the clocks that changed."""
    if ticket.unsupported_build:
        return []
    if targets is None:
        targets = targets_for(tier=tier, priority=priority)
    if clocks is None:
        clocks = ticket.clocks.all()
    start = _utc(schedule.clock_start(ticket.opened_at))
    changed = []
    for clock in clocks:
        if clock.agreed or clock.state in (SlaState.MET, SlaState.BREACHED):
            continue
        if _past_due(clock, now):
            continue
        if clock.metric == Metric.FIX and not ticket.fix_target:
            continue
        before = _facts(clock)
        target = targets.get(clock.metric)
        clock.started_at = start
        if not _has_amount(target):
            _clear_target(clock)
        else:
            was_applicable = clock.state != SlaState.NOT_APPLICABLE
            _apply_target(clock, schedule, target)
            if not was_applicable:
                _gain_target(clock, ticket, now)
        if _facts(clock) != before:
            _save(clock)
            changed.append(clock)
    return changed
