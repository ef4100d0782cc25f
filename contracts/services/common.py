"""Helpers shared by the contracts services: the error type, permission checks, row locks and
the audit trail (Django's admin log, so each contract's "History" page shows what happened)."""

from django.contrib.admin.models import CHANGE, LogEntry
from django.utils.translation import gettext as _

from config.errors import ServiceError
from contracts.models import Contract


class ContractError(ServiceError):
    """A refused contracts operation; the message is translated and shown as is."""


def require_staff(user) -> None:
    if user is None or not user.is_staff:
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
