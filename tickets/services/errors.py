"""The error the ticket services raise when they refuse an operation."""

from core.errors import ServiceError


class TicketError(ServiceError):
    """A refused ticket operation; the message is translated and shown as is."""
