"""Named support contacts and the tier cap on them. The cap holds under concurrency: every
change locks the contract row first, so two simultaneous adds for one free slot serialise and
the second sees the slot taken."""

from datetime import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.emails import password_set_url, send_to_users, site_url
from contracts.models import Contract, SupportContact
from contracts.services.common import ContractError, audit, lock_contract, require_staff
from core.roles import has_staff_permission
from sla.models import Tier
from sla.services import reference_data_changed


def _require_contact_manager(contract: Contract, user) -> None:
    """Support staff and the contract's own named contacts manage its named contacts."""
    if has_staff_permission(user, "contracts.change_supportcontact"):
        return
    if user is None or not contract.contacts.filter(user=user).exists():
        raise ContractError(
            _("Only support staff and the named contacts of contract %(number)s can change them.")
            % {"number": contract.number},
            code="forbidden",
        )


EMAIL_MAX = 254


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > EMAIL_MAX:  # the column's length: longer would fail on PostgreSQL
            raise ValidationError("too long")
    except ValidationError as exc:
        raise ContractError(
            _("Enter a valid e-mail address for the named contact."),
            code="invalid_email",
            field="email",
        ) from exc
    return email


def contact_check_email(*, contract: Contract, email: str):
    """The existing user behind `email` (None for a new address) if they may become a named
    contact of `contract`; raises ContractError otherwise. The admin validates with it too."""
    email = normalise_email(email)
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        return None
    if user.customer_id != contract.customer_id:
        # Worded so as not to tell whether the address has an account (docs/spec.md).
        raise ContractError(
            _(
                "%(email)s cannot be a named contact of %(customer)s. Use the person's address "
                "at %(customer)s, or ask support."
            )
            % {"email": email, "customer": contract.customer},
            code="email_not_allowed",
            field="email",
        )
    if not user.is_active:
        raise ContractError(
            _("The account %(email)s is deactivated.") % {"email": email},
            code="inactive_user",
            field="email",
        )
    if contract.pk and contract.contacts.filter(user=user).exists():
        raise ContractError(
            _("%(email)s is already a named contact of contract %(number)s.")
            % {"email": email, "number": contract.number},
            code="already_contact",
            field="email",
        )
    return user


def free_slots(contract: Contract) -> int:
    """How many more named contacts the contract's tier allows right now."""
    return contract.tier.max_named_contacts - contract.contacts.count()


def _require_free_slot(contract: Contract) -> None:
    if free_slots(contract) <= 0:
        cap = contract.tier.max_named_contacts
        raise ContractError(
            ngettext(
                "Contract %(number)s already has %(cap)d named contact, the most its %(tier)s "
                "tier allows. Remove one first.",
                "Contract %(number)s already has %(cap)d named contacts, the most its %(tier)s "
                "tier allows. Remove one first.",
                cap,
            )
            % {"number": contract.number, "cap": cap, "tier": contract.tier.name},
            code="contact_cap",
        )


def _send_added(*, contract: Contract, user, invite: bool) -> None:
    context = {
        "contract": contract,
        "customer": contract.customer,
        "tier": contract.tier,
        "portal_url": site_url(reverse("portal:dashboard")),
    }
    if invite:
        context["set_password_url"] = password_set_url(user)
        context["valid_days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    send_to_users(
        template="contact_invitation" if invite else "contact_added", users=[user], context=context
    )


def _add(
    *, contract: Contract, email: str, names: tuple[str, str], details: dict, added_by, now
) -> SupportContact:
    """Add to a contract that the caller has locked. The cap comes first: a full contract
    refuses every address alike, whoever it belongs to."""
    _require_free_slot(contract)
    user = contact_check_email(contract=contract, email=email)
    if user is None:
        user = get_user_model().objects.create_user(
            normalise_email(email),
            None,  # no usable password: the invitation link sets it
            customer=contract.customer,
            first_name=names[0].strip()[:150],
            last_name=names[1].strip()[:150],
            phone=details["phone"],
            language=contract.customer.language,
        )
    contact = SupportContact.objects.create(
        contract=contract,
        user=user,
        email=user.email,
        phone=details["phone"] or user.phone,
        qq=details["qq"],
        wechat=details["wechat"],
        skype=details["skype"],
        added_by=added_by,
        added_at=now,
    )
    audit(
        by=added_by,
        obj=contract,
        message=_("Added named contact %(user)s.") % {"user": user},
    )
    invite = not user.has_usable_password()
    transaction.on_commit(partial(_send_added, contract=contract, user=user, invite=invite))
    return contact


@transaction.atomic
def contact_add(
    *,
    contract: Contract,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    qq: str = "",
    wechat: str = "",
    skype: str = "",
    added_by,
    now: datetime,
) -> SupportContact:
    """Make `email` a named contact of `contract`, within its tier's cap. A new address gets a
    user of the contract's customer and an invitation to set a password."""
    _require_contact_manager(contract, added_by)
    locked = lock_contract(contract)
    return _add(
        contract=locked,
        email=email,
        names=(first_name, last_name),
        details={"phone": phone.strip(), "qq": qq.strip(), "wechat": wechat, "skype": skype},
        added_by=added_by,
        now=now,
    )


@transaction.atomic
def contact_update(
    *,
    contact: SupportContact,
    by,
    now: datetime,
    phone: str | None = None,
    qq: str | None = None,
    wechat: str | None = None,
    skype: str | None = None,
) -> SupportContact:
    """Change a named contact's reachability details (the fields given, not None)."""
    _require_contact_manager(contact.contract, by)
    changes = {"phone": phone, "qq": qq, "wechat": wechat, "skype": skype}
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(contact, name, changes[name].strip())
    if fields:
        contact.save(update_fields=fields)
    return contact


@transaction.atomic
def contact_remove(*, contact: SupportContact, removed_by, now: datetime) -> None:
    """Remove a named contact; their user stays (it may have tickets) but can no longer open
    tickets under this contract."""
    _require_contact_manager(contact.contract, removed_by)
    locked = lock_contract(contact.contract)
    user = contact.user
    deleted, _rows = SupportContact.objects.filter(pk=contact.pk, contract=locked).delete()
    if deleted:
        audit(
            by=removed_by,
            obj=locked,
            message=_("Removed named contact %(user)s.") % {"user": user},
        )


@transaction.atomic
def contact_replace(
    *,
    contact: SupportContact,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    qq: str = "",
    wechat: str = "",
    skype: str = "",
    by,
    now: datetime,
) -> SupportContact:
    """Hand a named contact's slot to someone else in one step (a 5x8 contract has only one
    slot, so remove-then-add would lock its only contact out of doing it)."""
    _require_contact_manager(contact.contract, by)
    locked = lock_contract(contact.contract)
    # Checked before the removal, so a refused address leaves the old contact in place.
    contact_check_email(contract=locked, email=email)
    old_user = contact.user
    SupportContact.objects.filter(pk=contact.pk).delete()
    audit(by=by, obj=locked, message=_("Removed named contact %(user)s.") % {"user": old_user})
    return _add(
        contract=locked,
        email=email,
        names=(first_name, last_name),
        details={"phone": phone.strip(), "qq": qq.strip(), "wechat": wechat, "skype": skype},
        added_by=by,
        now=now,
    )


def excess_contacts_message(contract: Contract, tier: Tier, contacts: list) -> str | None:
    """Why `contract` cannot have `contacts` (named contacts, or names) under `tier`, naming
    them; None if it can. The admin's contacts inline uses it too."""
    excess = len(contacts) - tier.max_named_contacts
    if excess <= 0:
        return None
    return ngettext(
        "The %(tier)s tier allows %(cap)d named contact and contract %(number)s has "
        "%(count)d. Remove %(excess)d of them first: %(names)s.",
        "The %(tier)s tier allows %(cap)d named contacts and contract %(number)s has "
        "%(count)d. Remove %(excess)d of them first: %(names)s.",
        tier.max_named_contacts,
    ) % {
        "tier": tier.name,
        "cap": tier.max_named_contacts,
        "number": contract.number,
        "count": len(contacts),
        "excess": excess,
        "names": "; ".join(str(getattr(c, "user", c)) for c in contacts),
    }


@transaction.atomic
def contract_change_tier(*, contract: Contract, tier: Tier, by, now: datetime) -> Contract:
    """Move a contract to another tier; refused while it has more named contacts than the new
    tier allows (the message names them)."""
    require_staff(by, "contracts.manage_contract")
    locked = lock_contract(contract)
    if locked.tier_id == tier.pk:
        return locked
    contacts = list(locked.contacts.select_related("user"))
    problem = excess_contacts_message(locked, tier, contacts)
    if problem:
        raise ContractError(problem, code="contact_cap", field="tier")
    old = locked.tier
    locked.tier = tier
    locked.save(update_fields=["tier"])
    reference_data_changed(contract=locked)  # its open tickets get the new tier's targets
    audit(
        by=by,
        obj=locked,
        message=_("Tier changed from %(old)s to %(new)s.") % {"old": old.name, "new": tier.name},
    )
    contract.tier = tier
    return locked
