"""API tokens (django-rest-knox): each login makes a new token that expires (REST_KNOX
TOKEN_TTL); its owner lists and revokes them; a password change or reset and a deactivation
revoke them all (accounts.receivers). Only a digest is stored: a token is shown once."""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from knox.models import AuthToken

from core.errors import ServiceError


@transaction.atomic
def api_token_create(*, user, now: datetime) -> tuple[AuthToken, str]:
    """A new token for `user`: the stored row and the token itself (shown once). The user's
    tokens expired at `now` are cleared on the way."""
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    return AuthToken.objects.create(user=user)


def api_tokens_for_user(user, *, now: datetime) -> QuerySet[AuthToken]:
    """The user's tokens still valid at `now`, newest first."""
    if user is None or not user.is_authenticated:
        return AuthToken.objects.none()
    return AuthToken.objects.filter(user=user, expiry__gt=now).order_by("-created")


@transaction.atomic
def api_token_revoke(*, user, token_key: str) -> None:
    """Revoke one of the user's tokens, named by its first characters (`token_key`); another
    user's token answers as one that does not exist."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise ServiceError(_("There is no such token."), code="not_found")


@transaction.atomic
def api_tokens_revoke_all(*, user) -> int:
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted
