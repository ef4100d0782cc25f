"""How django-axes counts failed logins (settings AXES_*): per e-mail address, lower-cased and
stripped as the login itself matches it, and per client address, each on its own."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings


def normalise_login(value) -> str:
    return str(value or "").strip().lower()


def axes_username(request, credentials) -> str:
    """The address a login attempt is counted against: `Quinn@X` and ` quinn@x ` are one."""
    field = str(settings.AXES_USERNAME_FORM_FIELD)
    if credentials and credentials.get(field) is not None:
        return normalise_login(credentials.get(field))
    data = getattr(request, "data", None)  # a DRF request
    if data is None or not hasattr(data, "get"):
        data = getattr(request, "POST", {})
    return normalise_login(data.get(field))


class LockoutHandler(AxesDatabaseHandler):
    """A successful login clears the failures counted against its own address only, never the
    count of the client address: otherwise logging in to one's own account between guesses at
    others' would reset the per-client lock-out."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
