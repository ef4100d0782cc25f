"""Helpers shared by the ticket and clock tests: Shanghai wall times, a ticket opener."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.factories import ContactFactory
from tickets.models import Clock
from tickets.services import ticket_open

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def clocks_of(ticket) -> dict[str, Clock]:
    return {c.metric: c for c in Clock.objects.filter(ticket=ticket)}


def ticket_opener(contract, contact, version):
    """A function that opens a ticket through the service; defaults: P1 under `contract` by
    `contact`, Monday 2026-11-23 10:00."""

    def _open(*, on=None, now=MONDAY, reporter=None, **kwargs):
        on = on or contract
        if reporter is None:
            reporter = contact if on == contract else ContactFactory(contract=on).user
        params = {
            "contract": on,
            "product": version.product,
            "version": version,
            "priority": "P1",
            "subject": "Broker refuses connections",
            "description": "All clients get connection refused since 09:40.",
            "reporter": reporter,
            "unmodified_build": True,
            "now": now,
        }
        if on.tier.always_open:
            params.update(on_duty_name="Li Lei", on_duty_phone="+86 138 0000 0001")
        params.update(kwargs)
        return ticket_open(**params)

    return _open


def changes_at(ticket, at) -> dict[str, tuple]:
    """The history's changes of `ticket` at `at`, by field: (before, after, entry). One action is
    one entry (tickets.history.grouped), its changes listed in it."""
    from tickets.models import TicketEvent

    found = {}
    for entry in TicketEvent.objects.filter(ticket=ticket, at=at):
        for change in entry.all_changes:
            found[change["field"]] = (change["before"], change["after"], entry)
    return found
