"""Helpers shared by the contracts services: the error type, permission checks, row locks, the
audit trail (Django's admin log, so each contract's "History" page shows what happened) and the
contract status change that verification, suspension and partner decisions all record."""

from datetime import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.translation import gettext as _

from contracts.models import Contract
from core.errors import ServiceError
from core.roles import has_staff_permission

REASON_MAX = Contract._meta.get_field("status_reason").max_length


class ContractError(ServiceError):
    """A refused contracts operation; the message is translated and shown as is."""


def require_staff(user, permission: str) -> None:
    """Support staff whose role holds `permission` (core.roles), or a "forbidden" refusal."""
    if not has_staff_permission(user, permission):
        raise ContractError(_("Only support staff can do this."), code="forbidden")


def lock_contract(contract: Contract) -> Contract:
    """Re-read the contract row with a row lock held until the transaction ends: every change
    to its status, tier or named contacts serialises on it."""
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("tier", "customer")
        .get(pk=contract.pk)
    )


def audit(*, by, obj, message: str) -> None:
    """Record a change in the admin log of `obj` (skipped when no person did it)."""
    if by is None or by.pk is None:
        return
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


def set_status(*, contract: Contract, status: str, by, reason: str, now: datetime) -> Contract:
    """Record a status change on a contract the caller has locked."""
    old = contract.get_status_display()
    contract.status = status
    contract.status_changed_at = now
    contract.status_changed_by = by
    contract.status_reason = reason
    contract.save(
        update_fields=["status", "status_changed_at", "status_changed_by", "status_reason"]
    )
    audit(
        by=by,
        obj=contract,
        message=_("Status changed from %(old)s to %(new)s.")
        % {"old": old, "new": contract.get_status_display()},
    )
    return contract


def clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ContractError(_("Please give a reason."), code="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise ContractError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX},
            code="reason_too_long",
            field="reason",
        )
    return reason
