"""How the mails of a ticket hang together: Message-IDs that mail clients thread on, and the
Reply-To address that carries a signed token of the ticket (plus-addressing on
SUPPORT_REPLY_ADDRESS), which the e-mail channel reads back.

Every mail about ticket 12 says `References: <ticket-12@domain>`; the acknowledgement of the new
ticket is that message itself, so a reporter's client shows one thread from the first mail on.
"""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "tickets.notifications.reply-token"
_TOKEN = re.compile(r"\+t(?P<pk>\d{1,12})-(?P<sig>[0-9a-f]{16})$")
_THREAD_ID = re.compile(r"<ticket-(?P<pk>\d{1,12})(?:\.[\w.-]+)?@(?P<domain>[^>\s]+)>")


def _reply_parts() -> tuple[str, str]:
    local, _at, domain = settings.SUPPORT_REPLY_ADDRESS.partition("@")
    return local, domain


def message_domain() -> str:
    return _reply_parts()[1] or "localhost"


def thread_id(ticket_pk: int) -> str:
    """The Message-ID of the ticket's thread root (its acknowledgement)."""
    return f"<ticket-{ticket_pk}@{message_domain()}>"


def message_id(ticket_pk: int, notification_pk: int) -> str:
    return f"<ticket-{ticket_pk}.{notification_pk}@{message_domain()}>"


def token(ticket_pk: int) -> str:
    return salted_hmac(_SALT, str(ticket_pk), algorithm="sha256").hexdigest()[:16]


def reply_address(ticket_pk: int) -> str:
    """`support+t12-<signature>@example.com`: replies to it land on ticket 12."""
    local, domain = _reply_parts()
    return f"{local}+t{ticket_pk}-{token(ticket_pk)}@{domain}"


def ticket_from_address(address: str) -> int | None:
    """The ticket named by a reply address whose signature is valid, else None."""
    local, _at, domain = (address or "").strip().lower().partition("@")
    expected_local, expected_domain = _reply_parts()
    if domain != expected_domain.lower() or not local.startswith(expected_local.lower() + "+"):
        return None
    match = _TOKEN.search(local)
    if match is None:
        return None
    pk = int(match["pk"])
    return pk if constant_time_compare(match["sig"], token(pk)) else None


def ticket_from_references(*headers: str) -> int | None:
    """The ticket of the first of our Message-IDs found in In-Reply-To / References."""
    domain = message_domain().lower()
    for header in headers:
        for match in _THREAD_ID.finditer(header or ""):
            if match["domain"].lower() == domain:
                return int(match["pk"])
    return None
