"""The support desk (Django admin) for tickets, agreed resolution times and remote sessions."""

from tickets.admin import sessions, tickets

__all__ = ["sessions", "tickets"]
