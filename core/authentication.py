"""The API's token authentication (settings REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]; a
module of its own, as DRF imports it while defining APIView)."""

from django.utils import timezone
from knox.auth import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """django-rest-knox's tokens (stored hashed, with an expiry). knox deletes every expired
    token of the user on each request (a query each time); here only the token presented is
    checked, and accounts.tokens clears a user's expired tokens when it makes a new one."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
