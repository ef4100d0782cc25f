"""Writes and decisions about contracts: entitlement, named contacts, partner registrations,
verification, expiry and reminders. Import services from here."""

from contracts.services.common import ContractError
from contracts.services.contacts import (
    contact_add,
    contact_check_email,
    contact_remove,
    contact_replace,
    contact_update,
    contract_change_tier,
    free_slots,
)
from contracts.services.entitlement import (
    Entitlement,
    EntitlementError,
    community_links,
    contract_local_date,
    entitlement_check,
    entitlement_require,
)
from contracts.services.registrations import (
    registration_approve,
    registration_reject,
    registration_submit,
)
from contracts.services.reminders import contract_reminders_send
from contracts.services.status import (
    contract_reactivate,
    contract_suspend,
    contract_verify,
    contracts_expire,
)

__all__ = [
    "ContractError",
    "Entitlement",
    "EntitlementError",
    "community_links",
    "contact_add",
    "contact_check_email",
    "contact_remove",
    "contact_replace",
    "contact_update",
    "contract_change_tier",
    "contract_local_date",
    "contract_reactivate",
    "contract_reminders_send",
    "contract_suspend",
    "contract_verify",
    "contracts_expire",
    "entitlement_check",
    "entitlement_require",
    "free_slots",
    "registration_approve",
    "registration_reject",
    "registration_submit",
]
