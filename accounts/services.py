"""Account services that are not about tokens or the second factor."""

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.auth import normalise_login
from accounts.ratelimit import RateLimitUnavailable, rate_limit_hit
from core.errors import ServiceError


def password_reset_allowed(*, email: str, client: str) -> None:
    """Refuse a password reset past PASSWORD_RESET_RATE for the address or
    PASSWORD_RESET_CLIENT_RATE for the client address, and while the cache that keeps the
    counts is unreachable (no unlimited mail in an outage). The refusal is the same whether an
    account exists for the address or not."""
    try:
        by_address = rate_limit_hit(
            "password-reset", normalise_login(email), settings.PASSWORD_RESET_RATE
        )
        by_client = rate_limit_hit(
            "password-reset-client", client or "-", settings.PASSWORD_RESET_CLIENT_RATE
        )
    except RateLimitUnavailable:
        raise ServiceError(
            _("Password reset is unavailable for a moment. Please try again in a few minutes."),
            code="unavailable",
        ) from None
    if not (by_address and by_client):
        raise ServiceError(
            _("Too many password reset requests. Please try again later."), code="rate_limited"
        )
