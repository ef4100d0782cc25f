"""Scheduled jobs of the contracts app (Celery beat, see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from contracts.services import contract_reminders_send, contracts_expire


@shared_task
def daily_contract_jobs() -> dict[str, int]:
    """Expire contracts past their term, then send the expiry reminders that are due. Safe to
    run twice or late: each step looks at state, not at the time it was scheduled."""
    now = timezone.now()
    expired = contracts_expire(now=now)
    reminded = contract_reminders_send(now=now)
    return {"expired": expired, "reminders": reminded}
