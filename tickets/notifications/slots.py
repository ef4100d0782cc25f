"""Starting the outbox's drain tasks, de-duplicated.

A drain sends until the outbox is empty, so one running drain serves any number of new rows.
Each drain holds one of OUTBOX_DRAIN_SLOTS slots (a row lease, renewed while it runs): asking
for a drain while every slot is busy queues nothing, so a burst of events or a sweep that flags
thousands of clocks never piles up drain tasks. A lease outlives a lost task message (a broker
restart) by at most OUTBOX_SLOT_LEASE; the next beat tick then starts a new drain."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.queue import queue_task
from tickets.notifications.models import DrainSlot, Notification

logger = logging.getLogger(__name__)

DRAIN_TASK = "tickets.tasks.drain_outbox"
# Due rows per extra drain when a backlog is found.
ROWS_PER_DRAIN = 200


def slot_lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_SLOT_LEASE)


def _free(now: datetime) -> Q:
    return Q(busy_until__isnull=True) | Q(busy_until__lt=now)


def _free_at(busy_until: datetime | None, now: datetime) -> bool:
    """_free, read in Python."""
    return busy_until is None or busy_until < now


def slots_take(*, wanted: int, now: datetime) -> list[int]:
    """Lease up to `wanted` free slots (conditional UPDATEs: two callers never get the same)."""
    count = settings.OUTBOX_DRAIN_SLOTS
    # The slots are few: one read says which are free and whether any row is missing.
    slots = DrainSlot.objects.filter(number__lt=count).order_by("number")
    known = list(slots.values_list("number", "busy_until"))
    if len(known) < count and sum(1 for _, busy in known if _free_at(busy, now)) < wanted:
        # First use (or more slots configured): the slot rows are made on demand.
        DrainSlot.objects.bulk_create(
            [DrainSlot(number=n) for n in range(count)], ignore_conflicts=True
        )
        known = list(slots.values_list("number", "busy_until"))
    candidates = [number for number, busy in known if _free_at(busy, now)][:wanted]
    taken = []
    for number in candidates:
        if DrainSlot.objects.filter(_free(now), number=number).update(
            busy_until=now + slot_lease()
        ):
            taken.append(number)
    return taken


def slot_renew(number: int, now: datetime) -> None:
    DrainSlot.objects.filter(number=number).update(busy_until=now + slot_lease())


def slot_release(number: int) -> None:
    DrainSlot.objects.filter(number=number).update(busy_until=None)


def due_rows(now: datetime, limit: int) -> int:
    return (
        Notification.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
        .values("pk")[:limit]
        .count()
    )


def drains_start(*, now: datetime, wanted: int | None = None) -> int:
    """Queue drains for free slots: `wanted` of them, or as many as the due backlog needs
    (one per ROWS_PER_DRAIN rows) when not given. Returns how many were queued. A broker that is
    down loses nothing: the rows stay due and the slot is handed back."""
    slots = settings.OUTBOX_DRAIN_SLOTS
    if wanted is None:
        due = due_rows(now, slots * ROWS_PER_DRAIN)
        if not due:
            return 0
        wanted = 1 + due // ROWS_PER_DRAIN
    queued = 0
    for number in slots_take(wanted=min(wanted, slots), now=now):
        try:
            queue_task(DRAIN_TASK, slot=number)
        except Exception:  # the broker is down: the next beat tick tries again
            logger.warning("could not queue an outbox drain", exc_info=True)
            slot_release(number)
            break
        queued += 1
    return queued


def drain_after_commit(rows: int = 1) -> None:
    """Ask for drains once the caller's transaction has committed (never inside it: a request
    only writes rows; sending never adds to its latency)."""
    wanted = 1 + rows // ROWS_PER_DRAIN

    def start() -> None:
        drains_start(now=timezone.now(), wanted=wanted)

    transaction.on_commit(start, robust=True)
