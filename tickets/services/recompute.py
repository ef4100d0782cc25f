"""Recompute the clocks of open tickets after SLA reference data changed: a target, a tier's
hours, a holiday calendar, or a contract's agreed hours."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.services import contract_schedule
from sla.clocks import clocks_retarget
from sla.models import Clock, Target
from sla.services import reference_data_changed
from tickets.models import OPEN_STATUSES, Ticket
from tickets.services._common import clock_events, record, snapshot, ticket_refresh_sla


def contract_hours_changed(contract: Contract) -> None:
    """Call after a contract's agreed hours, time zone, calendar or tier changed: the clocks of
    its open tickets are recomputed by a task once the change is committed."""
    reference_data_changed(contract=contract)


def _targets() -> dict[tuple[int, str], dict[str, Target]]:
    table: dict[tuple[int, str], dict[str, Target]] = defaultdict(dict)
    for target in Target.objects.all():
        table[(target.tier_id, target.priority)][target.metric] = target
    return table


def _recompute_batch(tickets: list[Ticket], *, now: datetime, schedules: dict, targets) -> int:
    clocks_of: dict[int, dict] = defaultdict(dict)
    for clock in Clock.objects.select_for_update().filter(ticket__in=tickets):
        clocks_of[clock.ticket_id][clock.metric] = clock
    reason = _("SLA targets, service hours or holidays changed.")
    events = []
    changed = 0
    for ticket in tickets:
        clocks = clocks_of[ticket.pk]
        contract = ticket.contract
        if contract.pk not in schedules:
            schedules[contract.pk] = contract_schedule(contract)
        before = snapshot(clocks)
        if clocks_retarget(
            ticket=ticket,
            schedule=schedules[contract.pk],
            tier=contract.tier,
            priority=ticket.priority,
            now=now,
            clocks=list(clocks.values()),
            targets=targets[(contract.tier_id, ticket.priority)],
        ):
            changed += 1
            events += clock_events(ticket, before, clocks, actor=None, at=now, reason=reason)
        ticket_refresh_sla(ticket, now, clocks)
    record(events)
    return changed


def ticket_clocks_recompute(
    *,
    now: datetime,
    calendar_id: int | None = None,
    contract_id: int | None = None,
    tier_id: int | None = None,
    batch_size: int | None = None,
) -> int:
    """Retarget the clocks of the open tickets concerned (all when no id is given), one
    transaction per batch of SLA_RECOMPUTE_BATCH_SIZE tickets walked by primary key, so a long
    run neither holds locks for long nor starts over after a crash. Idempotent: a second run
    changes nothing. Returns the number of tickets whose clocks changed."""
    size = batch_size or settings.SLA_RECOMPUTE_BATCH_SIZE
    scope = Ticket.objects.filter(status__in=OPEN_STATUSES, unsupported_build=False)
    if calendar_id is not None:
        scope = scope.filter(contract__calendar_id=calendar_id)
    if contract_id is not None:
        scope = scope.filter(contract_id=contract_id)
    if tier_id is not None:
        scope = scope.filter(contract__tier_id=tier_id)
    targets = _targets()
    schedules: dict[int, object] = {}
    last_pk = 0
    changed = 0
    while True:
        with transaction.atomic():
            batch = list(
                scope.filter(pk__gt=last_pk)
                .select_related("contract__tier", "contract__calendar")
                .select_for_update(of=("self",))
                .order_by("pk")[:size]
            )
            if not batch:
                break
            changed += _recompute_batch(batch, now=now, schedules=schedules, targets=targets)
        last_pk = batch[-1].pk
        if len(batch) < size:
            break
    return changed
