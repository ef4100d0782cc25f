"""The support desk (Django admin) for tickets, agreed resolution times, remote sessions, and the
SLA clocks, alert outbox and report (tickets.sla.admin)."""

from tickets.admin import canned, satisfaction, sessions, tickets
from tickets.sla import admin as sla_admin

__all__ = ["canned", "satisfaction", "sessions", "sla_admin", "tickets"]
