"""The tickets' jobs: the SLA sweep, the alert outbox, recomputing clocks. Tasks take ids, hold
no logic and read the clock once."""

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from tickets.services import ticket_clocks_recompute
from tickets.sla.alerts import alerts_send
from tickets.sla.sweep import clocks_evaluate


@shared_task
def evaluate_clocks() -> dict:
    """Flag due and at-risk clocks (beat, every minute)."""
    return asdict(clocks_evaluate(now=timezone.now()))


@shared_task
def send_pending_alerts() -> dict:
    """Send the SLA alert outbox."""
    return asdict(alerts_send(now=timezone.now()))


@shared_task
def recompute_open_clocks(
    *, calendar_id: int | None = None, contract_id: int | None = None, tier_id: int | None = None
) -> int:
    """Recompute the SLA clocks of the open tickets concerned by a change of targets, hours or
    holidays (all open tickets when no id is given). Idempotent."""
    return ticket_clocks_recompute(
        now=timezone.now(), calendar_id=calendar_id, contract_id=contract_id, tier_id=tier_id
    )
