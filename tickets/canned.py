"""Canned replies filled in for one ticket: the placeholders of a reply's text replaced by the
ticket's facts, due times in the contract's zone, named (core.timefmt.local_time). An unknown
placeholder stays as written, so a typo shows instead of vanishing; nothing but the names below
is ever looked up (no attribute access, unlike str.format)."""

import re

from core.timefmt import local_time
from sla.models import Metric
from tickets.models import CannedReply, Clock, Ticket

PLACEHOLDERS = (
    "customer_name",
    "customer",
    "ticket",
    "subject",
    "priority",
    "response_due",
    "restore_due",
    "resolve_due",
    "engineer",
)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _name(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


def canned_values(ticket: Ticket, *, engineer, clocks: list[Clock] | None = None) -> dict:
    """The value of each placeholder for `ticket` (with its contract, customer and reporter
    loaded), as `engineer` inserts it."""
    zone = ticket.contract.timezone
    if clocks is None:
        clocks = list(Clock.objects.filter(ticket=ticket).only("metric", "due_at"))
    due = {c.metric: local_time(c.due_at, zone) or "—" for c in clocks}
    return {
        "customer_name": _name(ticket.reporter),
        "customer": str(ticket.contract.customer),
        "ticket": f"#{ticket.pk}",
        "subject": ticket.subject,
        "priority": ticket.get_priority_display(),
        "response_due": due.get(Metric.RESPONSE, "—"),
        "restore_due": due.get(Metric.RESTORE, "—"),
        "resolve_due": due.get(Metric.FIX, "—"),
        "engineer": _name(engineer),
    }


def canned_fill(text: str, values: dict) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def canned_reply_text(reply: CannedReply, ticket: Ticket, *, engineer) -> str:
    """`reply`'s text with the placeholders of `ticket` filled in."""
    return canned_fill(reply.body, canned_values(ticket, engineer=engineer))
