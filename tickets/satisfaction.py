"""The signed link of the satisfaction survey: the resolved notification carries it, and it
lets its one recipient rate that one ticket without logging in, for a limited time.

The token holds the ticket and the user ids, signed with the project's secret (django.core.
signing) under a salt of its own, with the time it was made; it is refused once older than
LINK_MAX_AGE."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "tickets.satisfaction"
SCORES = (1, 2, 3, 4, 5)
# Long enough for someone back from a holiday, short enough that an old mail is no key.
LINK_MAX_AGE = timedelta(days=30)


@dataclass(frozen=True)
class RatingToken:
    ticket_id: int
    user_id: int


def rating_token(*, ticket_id: int, user_id: int) -> str:
    return signing.dumps({"t": ticket_id, "u": user_id}, salt=SALT, compress=True)


def rating_token_read(token: str) -> RatingToken | None:
    """The ticket and user a token was made for; None when it is forged, altered or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
        return RatingToken(ticket_id=int(data["t"]), user_id=int(data["u"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def rating_url(*, ticket_id: int, user_id: int) -> str:
    """The absolute link of the rating page for this ticket and user."""
    token = rating_token(ticket_id=ticket_id, user_id=user_id)
    path = reverse("portal:satisfaction-link", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"
