"""Writes of the notifications app that are not ticket events: a user's notification level."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from tickets.notifications.models import Level, NotificationSetting


@transaction.atomic
def notification_level_set(*, user, level: str) -> NotificationSetting:
    """Choose how much one hears: all updates, only one's own tickets, or none (SLA alerts,
    pages and acknowledgements of one's own tickets are sent whatever the choice)."""
    if level not in Level.values:
        raise ServiceError(_("Choose one of the offered levels."), code="invalid", field="level")
    setting, _created = NotificationSetting.objects.update_or_create(
        user=user, defaults={"level": level}
    )
    return setting
