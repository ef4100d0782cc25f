"""Reads of the notifications app."""

from datetime import datetime

from django.db.models import Min

from tickets.notifications.models import Level, Notification, NotificationSetting


def notification_level_of(user) -> str:
    """The user's notification level (all updates when never chosen)."""
    level = NotificationSetting.objects.filter(user=user).values_list("level", flat=True).first()
    return level or Level.ALL


def outbox_lag(now: datetime) -> float | None:
    """Seconds the oldest due unsent row has waited (None when nothing is due): past
    OUTBOX_MAX_LAG, no sender has taken it. Rows waiting for their retry are not due."""
    oldest = Notification.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now).aggregate(
        oldest=Min("next_attempt_at")
    )["oldest"]
    return None if oldest is None else (now - oldest).total_seconds()
