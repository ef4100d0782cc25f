"""The tickets' jobs: the SLA sweep (queue `sla`, never behind sending), the outbox drains
(queue `outbox`), the IMAP mailbox, recomputing clocks. Tasks take ids, hold no logic and read
the clock once (a drain reads it per delivery: the moment a mail is taken is its sent time)."""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tickets.mail.imap import imap_poll
from tickets.notifications.sending import outbox_drain, outbox_rescue
from tickets.notifications.slots import drains_start
from tickets.services import ticket_clocks_recompute
from tickets.sla.figures import sla_figures_refresh
from tickets.sla.sweep import clocks_evaluate_all


@shared_task(soft_time_limit=50, time_limit=58)
def evaluate_clocks() -> dict:
    """Flag due and at-risk clocks (beat, every minute), then make sure the outbox is being
    drained: this also restarts sending after a lost task message or a crashed worker. When no
    sender has taken a due row for OUTBOX_MAX_LAG, the sweep sends for a few seconds itself."""
    now = timezone.now()
    result = asdict(clocks_evaluate_all(now=now))
    result["drains_started"] = drains_start(now=timezone.now())
    rescue = outbox_rescue(clock=timezone.now)
    result["rescued"] = rescue.sent if rescue else 0
    return result


@shared_task(
    soft_time_limit=settings.OUTBOX_DRAIN_BUDGET + 60, time_limit=settings.OUTBOX_DRAIN_BUDGET + 90
)
def drain_outbox(*, slot: int | None = None) -> dict:
    """Send the outbox until nothing is due (one per free sending slot)."""
    return asdict(outbox_drain(slot=slot, clock=timezone.now))


@shared_task(soft_time_limit=240, time_limit=280)
def poll_mailbox() -> dict:
    """Fetch new mail from IMAP_URL, when set (beat, every minute)."""
    if not settings.IMAP_URL:
        return {"skipped": "IMAP_URL is not set"}
    return asdict(imap_poll(url=settings.IMAP_URL, now=timezone.now()))


@shared_task
def recompute_open_clocks(
    *, calendar_id: int | None = None, contract_id: int | None = None, tier_id: int | None = None
) -> int:
    """Recompute the SLA clocks of the open tickets concerned by a change of targets, hours or
    holidays (all open tickets when no id is given). Idempotent."""
    return ticket_clocks_recompute(
        now=timezone.now(), calendar_id=calendar_id, contract_id=contract_id, tier_id=tier_id
    )


@shared_task(soft_time_limit=50, time_limit=58)
def refresh_sla_figures() -> dict:
    """Recount the SLA report's stale months (beat, every minute)."""
    return asdict(sla_figures_refresh(now=timezone.now()))
