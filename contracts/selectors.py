"""Reads of the contracts app, scoped to the user first: customer users see their
organisation's contracts, partner users what their partner sold or registered while it is
authorised, staff (with a role) all."""

import zoneinfo
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract, Customer, Partner, PartnerRegistration, SupportContact
from core.roles import has_staff_permission


def _active(user) -> bool:
    return user is not None and not isinstance(user, AnonymousUser) and user.is_active


def partner_authorised_zones(partner_id: int, now: datetime | None = None) -> list[str]:
    """The time zones of the partner's contracts in which the partner is authorised today: the
    date rule of entitlement (status authorised, and the contract's local date within the
    authorisation's term). A revoked or lapsed partner has none. One query."""
    now = now or timezone.now()
    rows = (
        Contract.objects.filter(sold_by_id=partner_id)
        .values_list(
            "timezone", "sold_by__status", "sold_by__authorised_from", "sold_by__authorised_until"
        )
        .distinct()
    )
    return [
        zone
        for zone, status, starts, ends in rows
        if Partner(status=status, authorised_from=starts, authorised_until=ends).is_authorised_on(
            now.astimezone(zoneinfo.ZoneInfo(zone)).date()
        )
    ]


def _partner_contracts(user, now: datetime | None = None) -> Q:
    """The contracts a partner user may still see: sold by its partner, while authorised."""
    return Q(
        sold_by_id=user.partner_id, timezone__in=partner_authorised_zones(user.partner_id, now)
    )


def contracts_for_user(user, *, now: datetime | None = None) -> QuerySet[Contract]:
    """Contracts `user` may see: staff all, customer users their organisation's, partner users
    those their partner sold, while the partner is authorised."""
    qs = Contract.objects.select_related("customer", "tier", "calendar", "sold_by")
    if not _active(user):
        return qs.none()
    if has_staff_permission(user, "contracts.view_contract"):
        return qs
    if user.customer_id:
        return qs.filter(customer_id=user.customer_id)
    if user.partner_id:
        return qs.filter(_partner_contracts(user, now))
    return qs.none()


def contacts_for_user(user) -> QuerySet[SupportContact]:
    """Named contacts of the contracts `user` may see."""
    return SupportContact.objects.filter(
        contract__in=contracts_for_user(user).values("pk")
    ).select_related("contract", "user")


def registrations_for_user(user, *, now: datetime | None = None) -> QuerySet[PartnerRegistration]:
    """Partner registrations `user` may see: staff all (also those of a partner that lapsed),
    partner users their partner's while it is authorised."""
    qs = PartnerRegistration.objects.select_related(
        "partner", "submitted_by", "contract__customer", "contract__tier"
    )
    if not _active(user):
        return qs.none()
    if has_staff_permission(user, "contracts.view_partnerregistration"):
        return qs
    if user.partner_id:
        return qs.filter(
            partner_id=user.partner_id,
            contract__timezone__in=partner_authorised_zones(user.partner_id, now),
        )
    return qs.none()


def customers_for_partner(user) -> QuerySet[Customer]:
    """The customers a partner user may register subscriptions for: those its partner
    registered before (any outcome), while it is authorised. Nobody else has any."""
    if not _active(user) or not user.partner_id:
        return Customer.objects.none()
    return Customer.objects.filter(
        pk__in=Contract.objects.filter(_partner_contracts(user)).values("customer_id")
    )


# --- Possible duplicates ----------------------------------------------------------------------
# Another contract (or the contract of another registration) is a possible duplicate when it has
# the same licence number, or its customer has the same name in either language (case-
# insensitive, English or Chinese against English or Chinese). One rule, two shapes: concrete
# values for one contract, OuterRef for an annotated list.


def _duplicate_condition(ref) -> Q:
    """`ref(field)` gives the compared contract's value of `field` as an expression."""
    licence, en, zh = (
        Lower(ref("licence_number")),
        Lower(ref("customer__name_en")),
        Lower(ref("customer__name_zh")),
    )
    same_licence = Q(_dup_licence=licence) & ~Q(licence_number="")
    same_en = (Q(_dup_en=en) | Q(_dup_en=zh)) & ~Q(customer__name_en="")
    same_zh = (Q(_dup_zh=en) | Q(_dup_zh=zh)) & ~Q(customer__name_zh="")
    return same_licence | same_en | same_zh


def _candidates() -> QuerySet[Contract]:
    return Contract.objects.alias(
        _dup_licence=Lower("licence_number"),
        _dup_en=Lower("customer__name_en"),
        _dup_zh=Lower("customer__name_zh"),
    )


def contract_duplicates(contract: Contract) -> QuerySet[Contract]:
    """Other contracts that look like the same subscription or the same customer."""
    values = {
        "licence_number": contract.licence_number,
        "customer__name_en": contract.customer.name_en,
        "customer__name_zh": contract.customer.name_zh,
    }
    return (
        _candidates()
        .filter(_duplicate_condition(lambda field: Value(values[field])))
        .exclude(pk=contract.pk)
        .select_related("customer", "sold_by", "tier")
        .order_by("number")
    )


def registration_duplicates(registration: PartnerRegistration) -> QuerySet[Contract]:
    """Possible duplicates of a partner registration: other contracts (registered or direct)
    with the same licence number or customer name."""
    return contract_duplicates(registration.contract)


def with_duplicate_flag(queryset: QuerySet, contract_path: str = "") -> QuerySet:
    """Annotate `has_duplicates` on contracts (or, with contract_path="contract__", on rows that
    point to one) in the same query, for admin lists."""
    prefix = contract_path

    def ref(field: str):
        return OuterRef(f"{prefix}{field}")

    subquery = _candidates().filter(_duplicate_condition(ref)).exclude(pk=OuterRef(f"{prefix}pk"))
    return queryset.annotate(has_duplicates=Exists(subquery))


def duplicate_reasons(contract: Contract, other: Contract) -> list[str]:
    """Why `other` looks like a duplicate of `contract`, for the verification queue."""
    reasons = []
    licence = contract.licence_number.lower()
    if licence and licence == other.licence_number.lower():
        reasons.append(_("same licence number"))
    mine = {n.lower() for n in (contract.customer.name_en, contract.customer.name_zh) if n}
    theirs = {n.lower() for n in (other.customer.name_en, other.customer.name_zh) if n}
    if mine & theirs:
        reasons.append(_("same customer name"))
    return reasons
