"""Partner registrations: a partner registers a subscription it resold, with proof; a support
manager approves it (the contract becomes active and the first named contact is invited) or
rejects it with a reason.

A partner names the end customer either by picking one it registered before (its own
customers, contracts.selectors.customers_for_partner) or by giving a new organisation's name;
it never picks another partner's or the vendor's customers. A new name that matches an existing
customer is accepted and flagged as a possible duplicate for the manager to judge."""

import zoneinfo
from datetime import date, datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from contracts.emails import send_to_users, site_url
from contracts.models import (
    Contract,
    ContractStatus,
    Customer,
    LicenceType,
    PartnerRegistration,
    Product,
    RegistrationStatus,
)
from contracts.selectors import customers_for_partner
from contracts.services.common import (
    ContractError,
    audit,
    clean_reason,
    lock_contract,
    require_staff,
    set_status,
)
from contracts.services.contacts import contact_add, normalise_email
from contracts.services.entitlement import contract_local_date
from contracts.validators import validate_proof
from core.roles import support_managers
from sla.models import HolidayCalendar, Tier


def _refuse(message: str, code: str, field: str | None = None) -> ContractError:
    return ContractError(message, code=code, field=field)


def _check_customer(*, user, customer, name_en: str):
    if customer is not None:
        if not customers_for_partner(user).filter(pk=customer.pk).exists():
            raise _refuse(
                _("You can only register subscriptions for customers you registered before."),
                "customer_not_yours",
                "customer",
            )
    elif not name_en:
        raise _refuse(
            _("Pick one of your customers or give the new customer's name."),
            "customer_required",
            "customer_name_en",
        )


def _check_products(products: list) -> None:
    if not products:
        raise _refuse(_("Choose at least one product."), "products_required", "products")
    community = [p.name for p in products if not p.commercially_supported]
    if community:
        raise _refuse(
            _("%(products)s has community support only and cannot be registered.")
            % {"products": ", ".join(community)},
            "product_not_supported",
            "products",
        )


def _check_term(*, starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        raise _refuse(_("The term cannot end before it starts."), "term_order", "ends_on")
    if ends_on < today:
        raise _refuse(_("This term has already ended."), "term_over", "ends_on")


def _check_contact_email(*, email: str, customer) -> str:
    try:
        email = normalise_email(email)
    except ContractError as exc:
        exc.field = "contact_email"
        raise
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None and (customer is None or user.customer_id != customer.pk):
        # Worded so as not to tell whether the address has an account (docs/spec.md).
        raise _refuse(
            _(
                "%(email)s cannot be the first named contact of this customer. Use the "
                "person's address at the customer, or ask support."
            )
            % {"email": email},
            "email_not_allowed",
            "contact_email",
        )
    return email


def _number_taken(number: str) -> ContractError:
    return _refuse(
        _("Contract number %(number)s is already registered.") % {"number": number},
        "number_taken",
        "contract_number",
    )


def _rejected_registration(contract: Contract, partner) -> PartnerRegistration | None:
    """The partner's own rejected registration of `contract`, which it may submit again."""
    if contract.status != ContractStatus.REJECTED or contract.sold_by_id != partner.pk:
        return None
    return PartnerRegistration.objects.filter(
        contract=contract, status=RegistrationStatus.REJECTED
    ).first()


def _create(*, number: str, terms: dict, first_contact: dict) -> PartnerRegistration:
    try:
        with transaction.atomic():
            contract = Contract.objects.create(
                number=number, status=ContractStatus.PENDING, **terms
            )
    except IntegrityError as exc:  # the same number submitted at the same moment
        raise _number_taken(number) from exc
    return PartnerRegistration.objects.create(
        partner=terms["sold_by"], contract=contract, **first_contact
    )


def _resubmit(
    registration: PartnerRegistration, *, terms: dict, first_contact: dict, now: datetime
) -> PartnerRegistration:
    """A rejected registration corrected by its partner: the same contract (its number stays
    unique) and registration go back to pending with the new details. The rejection stays in
    the contract's history."""
    contract = lock_contract(registration.contract)
    for name, value in terms.items():
        setattr(contract, name, value)
    contract.save(update_fields=list(terms))
    audit(
        by=first_contact["submitted_by"],
        obj=contract,
        message=_("Registered again after the rejection: %(reason)s")
        % {"reason": registration.rejection_reason},
    )
    set_status(
        contract=contract,
        status=ContractStatus.PENDING,
        by=first_contact["submitted_by"],
        reason="",
        now=now,
    )
    for name, value in first_contact.items():
        setattr(registration, name, value)
    registration.status = RegistrationStatus.PENDING
    registration.decided_at = None
    registration.decided_by = None
    registration.rejection_reason = ""
    registration.save()
    registration.contract = contract
    return registration


def _notify_managers(registration_pk: int) -> None:
    registration = PartnerRegistration.objects.select_related(
        "partner", "contract__customer", "contract__tier"
    ).get(pk=registration_pk)
    managers = support_managers()
    admin_path = reverse("admin:contracts_partnerregistration_change", args=[registration_pk])
    send_to_users(
        template="registration_submitted",
        users=managers,
        context={
            "registration": registration,
            "contract": registration.contract,
            "customer": registration.contract.customer,
            "partner": registration.partner,
            "admin_url": site_url(admin_path),
        },
    )


def _notify_submitter(registration: PartnerRegistration, template: str) -> None:
    if registration.submitted_by.is_active:
        send_to_users(
            template=template,
            users=[registration.submitted_by],
            context={
                "registration": registration,
                "contract": registration.contract,
                "customer": registration.contract.customer,
            },
        )


@transaction.atomic
def registration_submit(
    *,
    user,
    customer: Customer | None = None,
    customer_name_en: str = "",
    customer_name_zh: str = "",
    country: str = "CN",
    products: list[Product],
    tier: Tier,
    licence_type: str,
    contract_number: str,
    licence_number: str,
    starts_on: date,
    ends_on: date,
    timezone: str,
    calendar: HolidayCalendar,
    proof,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    now: datetime,
) -> PartnerRegistration:
    """Register a resold subscription: creates the pending contract (sold by the user's
    partner, proof stored privately) and, for a new end customer, the customer."""
    partner = getattr(user, "partner", None)
    if partner is None:
        raise _refuse(_("Only partner users can register subscriptions."), "not_partner")
    if timezone not in zoneinfo.available_timezones():
        raise _refuse(
            _("%(value)s is not an IANA time zone (e.g. Asia/Shanghai).") % {"value": timezone},
            "invalid_timezone",
            "timezone",
        )
    today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    if not partner.is_authorised_on(today):
        raise _refuse(
            _("The authorisation of %(partner)s has lapsed; it cannot register subscriptions.")
            % {"partner": partner.name},
            "partner_lapsed",
        )
    name_en, name_zh = customer_name_en.strip(), customer_name_zh.strip()
    _check_customer(user=user, customer=customer, name_en=name_en)
    products = list(products)
    _check_products(products)
    if licence_type not in LicenceType.values:
        raise _refuse(_("Choose a licence type."), "licence_type", "licence_type")
    number = contract_number.strip()
    if not number:
        raise _refuse(_("The contract number is required."), "number_required", "contract_number")
    existing = Contract.objects.filter(number__iexact=number).first()
    earlier = _rejected_registration(existing, partner) if existing else None
    if existing is not None and earlier is None:
        raise _number_taken(number)
    _check_term(starts_on=starts_on, ends_on=ends_on, today=today)
    try:
        kind = validate_proof(proof)
    except ValidationError as exc:
        raise _refuse(" ".join(exc.messages), "invalid_proof", "proof") from exc
    if not contact_name.strip():
        raise _refuse(_("Name the first named contact."), "contact_required", "contact_name")
    email = _check_contact_email(email=contact_email, customer=customer)

    is_new = customer is None
    if is_new:
        country = (country or "CN").strip().upper()[:2]
        names = {
            "name_en": name_en,
            "name_zh": name_zh,
            "country": country,
            "language": "zh-hans" if country == "CN" else "en",
        }
        if earlier is not None and earlier.customer_is_new:
            # Correct the organisation the rejected registration created, not a second one.
            customer = earlier.contract.customer
            for name, value in names.items():
                setattr(customer, name, value)
            customer.save(update_fields=list(names))
        else:
            customer = Customer.objects.create(**names)
    terms = {
        "customer": customer,
        "tier": tier,
        "licence_type": licence_type,
        "licence_number": licence_number.strip(),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "timezone": timezone,
        "calendar": calendar,
        "sold_by": partner,
        "proof": File(proof, name=f"proof.{kind}"),
    }
    first_contact = {
        "submitted_by": user,
        "customer_is_new": is_new,
        "contact_name": contact_name.strip(),
        "contact_email": email,
        "contact_phone": contact_phone.strip(),
        "submitted_at": now,
    }
    if earlier is None:
        registration = _create(number=number, terms=terms, first_contact=first_contact)
    else:
        registration = _resubmit(earlier, terms=terms, first_contact=first_contact, now=now)
    registration.contract.products.set(products)
    transaction.on_commit(partial(_notify_managers, registration.pk))
    return registration


def _lock_registration(registration: PartnerRegistration) -> PartnerRegistration:
    # The contract first, as every contract service does, so the two locks never cross.
    contract = lock_contract(registration.contract)
    locked = (
        PartnerRegistration.objects.select_for_update(of=("self",))
        .select_related("partner", "submitted_by")
        .get(pk=registration.pk)
    )
    locked.contract = contract
    if locked.status != RegistrationStatus.PENDING:
        raise _refuse(
            _("This registration was already %(status)s.")
            % {"status": locked.get_status_display()},
            "already_decided",
        )
    return locked


@transaction.atomic
def registration_approve(
    *, registration: PartnerRegistration, by, now: datetime
) -> PartnerRegistration:
    """Verify a partner's registration: the contract becomes active and the first named
    contact (created on the customer if new) is invited by e-mail."""
    require_staff(by, "contracts.decide_partnerregistration")
    locked = _lock_registration(registration)
    contract = locked.contract
    if not locked.partner.is_authorised_on(contract_local_date(contract, now)):
        raise _refuse(
            _("The authorisation of %(partner)s has lapsed; reject the registration instead.")
            % {"partner": locked.partner.name},
            "partner_lapsed",
        )
    if contract.status != ContractStatus.PENDING:
        raise _refuse(
            _("Contract %(number)s is %(status)s, not pending.")
            % {"number": contract.number, "status": contract.get_status_display()},
            "wrong_status",
        )
    set_status(contract=contract, status=ContractStatus.ACTIVE, by=by, reason="", now=now)
    already = contract.contacts.filter(user__email__iexact=locked.contact_email).exists()
    if not already:
        contact_add(
            contract=contract,
            email=locked.contact_email,
            first_name=locked.contact_name,
            phone=locked.contact_phone,
            added_by=by,
            now=now,
        )
    locked.status = RegistrationStatus.APPROVED
    locked.decided_at = now
    locked.decided_by = by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    transaction.on_commit(partial(_notify_submitter, locked, "registration_approved"))
    return locked


@transaction.atomic
def registration_reject(
    *, registration: PartnerRegistration, by, reason: str, now: datetime
) -> PartnerRegistration:
    """Refuse a partner's registration with a reason (required, sent to the partner); its
    contract becomes rejected."""
    require_staff(by, "contracts.decide_partnerregistration")
    reason = clean_reason(reason, required=True)
    locked = _lock_registration(registration)
    set_status(
        contract=locked.contract, status=ContractStatus.REJECTED, by=by, reason=reason, now=now
    )
    locked.status = RegistrationStatus.REJECTED
    locked.decided_at = now
    locked.decided_by = by
    locked.rejection_reason = reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
    transaction.on_commit(partial(_notify_submitter, locked, "registration_rejected"))
    return locked
