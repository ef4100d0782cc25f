"""Contract status: verification (pending -> active), suspension, reactivation and expiry at
the end of the term. Every change records who made it, when and why."""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractStatus, RegistrationStatus
from contracts.services.common import (
    ContractError,
    clean_reason,
    lock_contract,
    require_staff,
    set_status,
)
from contracts.services.entitlement import contract_local_date
from contracts.services.registrations import registration_approve


def _require_status(contract: Contract, allowed: tuple[str, ...], message: str) -> None:
    """`message` is translated and has %(number)s and %(status)s placeholders."""
    if contract.status not in allowed:
        raise ContractError(
            message % {"number": contract.number, "status": contract.get_status_display()},
            code="wrong_status",
        )


@transaction.atomic
def contract_verify(*, contract: Contract, by, now: datetime) -> Contract:
    """A support manager confirms the proof of eligibility: pending -> active. A contract
    registered by a partner is verified by approving its registration (which does this)."""
    require_staff(by, "contracts.manage_contract")
    locked = lock_contract(contract)
    registration = getattr(locked, "registration", None)
    if registration is not None and registration.status == RegistrationStatus.PENDING:
        return registration_approve(registration=registration, by=by, now=now).contract
    _require_status(
        locked,
        (ContractStatus.PENDING,),
        _("Only a pending contract can be verified; %(number)s is %(status)s."),
    )
    return set_status(contract=locked, status=ContractStatus.ACTIVE, by=by, reason="", now=now)


@transaction.atomic
def contract_suspend(*, contract: Contract, by, reason: str, now: datetime) -> Contract:
    """Suspend an active contract (no new tickets); the reason is required and shown."""
    require_staff(by, "contracts.manage_contract")
    reason = clean_reason(reason, required=True)
    locked = lock_contract(contract)
    _require_status(
        locked,
        (ContractStatus.ACTIVE,),
        _("Only an active contract can be suspended; %(number)s is %(status)s."),
    )
    return set_status(
        contract=locked, status=ContractStatus.SUSPENDED, by=by, reason=reason, now=now
    )


@transaction.atomic
def contract_reactivate(*, contract: Contract, by, now: datetime, reason: str = "") -> Contract:
    """Bring a suspended contract, or an expired one whose term was extended, back to active."""
    require_staff(by, "contracts.manage_contract")
    reason = clean_reason(reason, required=False)
    locked = lock_contract(contract)
    _require_status(
        locked,
        (ContractStatus.SUSPENDED, ContractStatus.EXPIRED),
        _("Only a suspended or expired contract can be reactivated; %(number)s is %(status)s."),
    )
    if contract_local_date(locked, now) > locked.ends_on:
        raise ContractError(
            _("The term of contract %(number)s ended on %(date)s; extend it first.")
            % {"number": locked.number, "date": locked.ends_on.isoformat()},
            code="term_over",
        )
    return set_status(contract=locked, status=ContractStatus.ACTIVE, by=by, reason=reason, now=now)


def contracts_expire(*, now: datetime) -> int:
    """Expire active and suspended contracts whose term is over in their own time zone; each
    is claimed with a conditional UPDATE, so concurrent runs expire it once. Returns the count."""
    # No time zone is more than a day from UTC, so this narrows the scan to candidates.
    horizon = now.astimezone(UTC).date() + timedelta(days=1)
    live = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)
    candidates = Contract.objects.filter(status__in=live, ends_on__lt=horizon).only(
        "pk", "timezone", "ends_on"
    )
    expired = 0
    for contract in candidates.iterator():
        if contract_local_date(contract, now) <= contract.ends_on:
            continue
        expired += Contract.objects.filter(pk=contract.pk, status__in=live).update(
            status=ContractStatus.EXPIRED,
            status_changed_at=now,
            status_changed_by=None,
            status_reason="",
        )
    return expired
