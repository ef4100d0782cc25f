"""Reads of the notifications app."""

from tickets.notifications.models import Level, NotificationSetting


def notification_level_of(user) -> str:
    """The user's notification level (all updates when never chosen)."""
    level = NotificationSetting.objects.filter(user=user).values_list("level", flat=True).first()
    return level or Level.ALL
