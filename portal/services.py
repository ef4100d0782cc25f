"""Writes made by the portal itself (everything else goes through the apps' services)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError


def language_is_supported(language: str) -> bool:
    return language in dict(settings.LANGUAGES)


@transaction.atomic
def user_language_set(*, user, language: str) -> None:
    """Remember the interface language of a user; pages and notifications follow it."""
    if not language_is_supported(language):
        raise ServiceError(
            _("%(language)s is not a language of this portal.") % {"language": language},
            code="unknown_language",
            field="language",
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
