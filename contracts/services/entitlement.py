"""Entitlement: may this user open a ticket for this product and version under this contract,
and if not, why (in the active language)."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, Value
from django.utils.translation import gettext as _

from contracts.models import (
    Contract,
    ContractStatus,
    Product,
    ProductVersion,
    SupportContact,
)
from core.errors import ServiceError
from core.roles import has_staff_permission


class EntitlementError(ServiceError):
    """Raised by entitlement_require; `code` is one of Entitlement's refusal codes."""


@dataclass(frozen=True)
class Entitlement:
    """The answer to "may this user open a ticket for this product and version under this
    contract now?". `reason` is translated into the active language when refused."""

    allowed: bool
    code: str = "ok"
    reason: str = ""
    fix_target: bool = True  # False past the version's end of maintenance
    community_links: dict[str, str] = field(default_factory=dict)


def contract_local_date(contract: Contract, now: datetime) -> date:
    """Today's date where the contract was signed (terms and end dates are local dates)."""
    # Only the zone is needed: building the whole schedule would load the holiday calendar.
    return now.astimezone(zoneinfo.ZoneInfo(contract.timezone)).date()


def community_links(product: Product) -> dict[str, str]:
    links = {
        "docs": product.docs_url,
        "knowledge_base": product.knowledge_base_url,
        "forum": product.forum_url,
    }
    return {k: v for k, v in links.items() if v}


def _refuse(code: str, reason: str, **extra) -> Entitlement:
    return Entitlement(allowed=False, code=code, reason=reason, **extra)


def _coverage(contract: Contract, product: Product, user) -> tuple[bool, bool]:
    """(the contract covers `product`, `user` is one of its named contacts); the second is
    False without asking when `user` is None."""
    covers = Exists(
        Contract.products.through.objects.filter(contract_id=contract.pk, product_id=product.pk)
    )
    names = (
        Exists(SupportContact.objects.filter(contract_id=contract.pk, user_id=user.pk))
        if user is not None
        else Value(False)
    )
    row = (
        Contract.objects.filter(pk=contract.pk)
        .annotate(covers=covers, names=names)
        .values_list("covers", "names")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def entitlement_check(
    *,
    user,
    contract: Contract,
    product: Product,
    version: ProductVersion | None,
    now: datetime,
) -> Entitlement:
    """Decide whether `user` may open a ticket for `product` `version` under `contract` at `now`.
    Staff may open (log) tickets for any customer; customer users must be named contacts."""
    if product.pk and not product.commercially_supported:
        return _refuse(
            "community_only",
            _(
                "%(product)s has community support only: please use the documentation, the "
                "knowledge base and the community forum."
            )
            % {"product": product.name},
            community_links=community_links(product),
        )
    if contract.status == ContractStatus.PENDING:
        return _refuse(
            "pending",
            _("Contract %(number)s has not been verified yet; support will confirm it shortly.")
            % {"number": contract.number},
        )
    if contract.status == ContractStatus.REJECTED:
        return _refuse(
            "rejected",
            _("Contract %(number)s was not verified.") % {"number": contract.number},
        )
    if contract.status == ContractStatus.SUSPENDED:
        return _refuse(
            "suspended",
            _("Contract %(number)s is suspended. Please contact your account manager.")
            % {"number": contract.number},
        )
    today = contract_local_date(contract, now)
    if contract.status == ContractStatus.EXPIRED or today > contract.ends_on:
        return _refuse(
            "expired",
            _("Contract %(number)s expired on %(date)s.")
            % {"number": contract.number, "date": contract.ends_on.isoformat()},
        )
    if today < contract.starts_on:
        return _refuse(
            "not_started",
            _("Contract %(number)s starts on %(date)s.")
            % {"number": contract.number, "date": contract.starts_on.isoformat()},
        )
    if contract.sold_by_id and not contract.sold_by.is_authorised_on(today):
        return _refuse(
            "partner_lapsed",
            _(
                "The authorisation of %(partner)s, who sold contract %(number)s, has lapsed. "
                "Please contact the vendor to renew your support."
            )
            % {"partner": contract.sold_by.name, "number": contract.number},
        )
    # Whether the contract covers the product and names the user as a contact: one query for
    # both (staff, who may log tickets for anyone, need no contact).
    staff = has_staff_permission(user, "tickets.add_ticket")
    covered, named = _coverage(contract, product, None if staff else user)
    if not covered:
        return _refuse(
            "product_not_covered",
            _("Contract %(number)s does not cover %(product)s.")
            % {"number": contract.number, "product": product.name},
        )
    if version is not None:
        if version.product_id != product.pk:
            return _refuse(
                "version_mismatch",
                _("%(version)s is not a version of %(product)s.")
                % {"version": version.name, "product": product.name},
            )
        if today > version.end_of_support:
            return _refuse(
                "version_end_of_support",
                _(
                    "%(product)s %(version)s reached its end of support on %(date)s. Please "
                    "upgrade to a supported version."
                )
                % {
                    "product": product.name,
                    "version": version.name,
                    "date": version.end_of_support.isoformat(),
                },
            )
    if not staff and not named:
        return _refuse(
            "not_named_contact",
            _(
                "Only the named support contacts of contract %(number)s can open tickets. Ask "
                "one of them, or your administrator, to add you."
            )
            % {"number": contract.number},
        )
    fix_target = version is None or today <= version.end_of_maintenance
    return Entitlement(allowed=True, fix_target=fix_target)


def entitlement_require(**kwargs) -> Entitlement:
    """entitlement_check, raising EntitlementError with the reason when refused."""
    answer = entitlement_check(**kwargs)
    if not answer.allowed:
        raise EntitlementError(answer.reason, code=answer.code, extra=answer.community_links)
    return answer
