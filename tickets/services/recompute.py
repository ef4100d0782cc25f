"""Recompute the clocks of open tickets after SLA reference data changed: a target, a tier's
hours, a holiday calendar, or a contract's agreed hours."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.schedule import contract_schedule
from sla.models import Target
from tickets import history
from tickets.models import OPEN_STATUSES, Clock, Ticket
from tickets.services.change import TicketChange
from tickets.sla.clocks import clocks_retarget


def _targets() -> dict[tuple[int, str], dict[str, Target]]:
    table: dict[tuple[int, str], dict[str, Target]] = defaultdict(dict)
    for target in Target.objects.all():
        table[(target.tier_id, target.priority)][target.metric] = target
    return table


def _recompute_batch(tickets: list[Ticket], *, now: datetime, targets) -> int:
    """One transaction's worth: the batch's clocks locked in one query (the tickets are locked
    by the caller), each ticket's clocks retargeted as one change, the history in one insert."""
    clocks_of: dict[int, dict] = defaultdict(dict)
    for clock in Clock.objects.select_for_update().filter(ticket__in=tickets):
        clocks_of[clock.ticket_id][clock.metric] = clock
    reason = _("SLA targets, service hours or holidays changed.")
    entries = []
    changed = 0
    for ticket in tickets:
        contract = ticket.contract
        change = TicketChange(ticket, by=None, now=now, reason=reason, clocks=clocks_of[ticket.pk])
        if clocks_retarget(
            ticket=ticket,
            schedule=contract_schedule(contract),
            tier=contract.tier,
            priority=ticket.priority,
            now=now,
            clocks=list(change.clocks.values()),
            targets=targets[(contract.tier_id, ticket.priority)],
        ):
            changed += 1
        entries += change.finish(record=False)
    history.record(entries)
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
            changed += _recompute_batch(batch, now=now, targets=targets)
        last_pk = batch[-1].pk
        if len(batch) < size:
            break
    return changed
