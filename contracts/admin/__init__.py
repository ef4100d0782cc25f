"""The back office for contracts (STYLE rule 10): one module per area, registered on import."""

from contracts.admin import catalogue, contacts, contracts, registrations, reminders

__all__ = ["catalogue", "contacts", "contracts", "registrations", "reminders"]
