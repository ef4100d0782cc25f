"""The support desk (Django admin) for tickets, agreed resolution times, remote sessions, and the
SLA clocks, alert outbox and report (tickets.sla.admin)."""

from tickets.admin import satisfaction, sessions, tickets
from tickets.sla import admin as sla_admin

__all__ = ["satisfaction", "sessions", "sla_admin", "tickets"]
