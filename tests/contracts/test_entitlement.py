"""entitlement_check / entitlement_require: one test per refusal code, and the allowed cases."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from contracts.models import ContractStatus, PartnerStatus
from contracts.services import (
    EntitlementError,
    contract_local_date,
    entitlement_check,
    entitlement_require,
)
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerUserFactory,
    PartnerFactory,
    ProductFactory,
    StaffFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db


def check(contact, product, version, now, **contract_changes):
    contract = contact.contract
    for name, value in contract_changes.items():
        setattr(contract, name, value)
    contract.save()
    return entitlement_check(
        user=contact.user, contract=contract, product=product, version=version, now=now
    )


def test_named_contact_of_active_contract_may_open(contact, product, version, now):
    answer = check(contact, product, version, now)
    assert answer.allowed
    assert answer.code == "ok"
    assert answer.fix_target is True


def test_pending_contract_is_not_yet_verified(contact, product, version, now):
    with translation.override("en"):
        answer = check(contact, product, version, now, status=ContractStatus.PENDING)
    assert not answer.allowed
    assert answer.code == "pending"
    assert "not been verified" in answer.reason


def test_rejected_contract_is_refused(contact, product, version, now):
    answer = check(contact, product, version, now, status=ContractStatus.REJECTED)
    assert answer.code == "rejected"


def test_expired_status_is_refused(contact, product, version, now):
    answer = check(contact, product, version, now, status=ContractStatus.EXPIRED)
    assert answer.code == "expired"


def test_term_over_in_the_contract_time_zone_is_expired_before_the_nightly_job(
    contact, product, version, now
):
    # 2026-11-25 02:00 UTC is already the 25th in Shanghai: a term ending the 24th is over.
    answer = check(contact, product, version, now, ends_on=date(2026, 11, 24))
    assert answer.code == "expired"
    assert "2026-11-24" in answer.reason


def test_last_day_of_term_is_still_covered(contact, product, version, now):
    assert check(contact, product, version, now, ends_on=date(2026, 11, 25)).allowed


def test_term_not_started_is_refused(contact, product, version, now):
    answer = check(contact, product, version, now, starts_on=date(2026, 12, 1))
    assert answer.code == "not_started"


def test_suspended_contract_is_refused(contact, product, version, now):
    answer = check(contact, product, version, now, status=ContractStatus.SUSPENDED)
    assert answer.code == "suspended"


def test_product_not_covered_by_the_contract(contact, now):
    other = ProductFactory(name="Other Product")
    answer = check(contact, other, VersionFactory(product=other), now)
    assert answer.code == "product_not_covered"
    assert "Other Product" in answer.reason


def test_community_only_product_points_to_the_community(contact, now):
    broker = ProductFactory(
        name="Broker",
        commercially_supported=False,
        docs_url="https://docs.example.com/",
        knowledge_base_url="",
        forum_url="https://forum.example.com/",
    )
    contact.contract.products.add(broker)
    answer = check(contact, broker, None, now)
    assert answer.code == "community_only"
    assert answer.community_links == {
        "docs": "https://docs.example.com/",
        "forum": "https://forum.example.com/",
    }


def test_version_past_end_of_support_is_refused(contact, product, now):
    old = VersionFactory(
        product=product,
        name="4.4",
        end_of_maintenance=date(2024, 12, 31),
        end_of_support=date(2025, 12, 31),
    )
    answer = check(contact, product, old, now)
    assert answer.code == "version_end_of_support"
    assert "2025-12-31" in answer.reason


def test_version_past_end_of_maintenance_is_allowed_without_fix_target(contact, product, now):
    aging = VersionFactory(
        product=product,
        name="5.7",
        end_of_maintenance=date(2026, 6, 30),
        end_of_support=date(2027, 6, 30),
    )
    answer = check(contact, product, aging, now)
    assert answer.allowed
    assert answer.fix_target is False


def test_version_of_another_product_is_refused(contact, product, now):
    answer = check(contact, product, VersionFactory(), now)
    assert answer.code == "version_mismatch"


def test_user_of_the_customer_who_is_not_a_named_contact_is_refused(contact, product, version, now):
    colleague = CustomerUserFactory(customer=contact.contract.customer)
    answer = entitlement_check(
        user=colleague, contract=contact.contract, product=product, version=version, now=now
    )
    assert answer.code == "not_named_contact"


def test_staff_may_log_a_ticket_for_any_customer(contact, product, version, now):
    answer = entitlement_check(
        user=StaffFactory(), contract=contact.contract, product=product, version=version, now=now
    )
    assert answer.allowed


def test_lapsed_partner_authorisation_is_refused(product, version, now):
    lapsed = PartnerFactory(authorised_until=date(2026, 11, 1))
    contact = ContactFactory(contract=ContractFactory(products=[product], sold_by=lapsed))
    answer = check(contact, product, version, now)
    assert answer.code == "partner_lapsed"
    assert lapsed.name in answer.reason


def test_revoked_partner_is_refused_within_its_dates(product, version, now):
    revoked = PartnerFactory(status=PartnerStatus.REVOKED)
    contact = ContactFactory(contract=ContractFactory(products=[product], sold_by=revoked))
    assert check(contact, product, version, now).code == "partner_lapsed"


def test_authorised_partner_sale_is_supported_like_a_direct_one(product, version, now):
    contact = ContactFactory(contract=ContractFactory(products=[product], sold_by=PartnerFactory()))
    assert check(contact, product, version, now).allowed


def test_reason_is_in_the_active_language(contact, product, version, now):
    contact.contract.status = ContractStatus.SUSPENDED
    with translation.override("zh-hans"):
        zh = entitlement_check(
            user=contact.user, contract=contact.contract, product=product, version=version, now=now
        )
    with translation.override("en"):
        en = entitlement_check(
            user=contact.user, contract=contact.contract, product=product, version=version, now=now
        )
    assert "suspended" in en.reason
    assert zh.code == en.code == "suspended"


def test_require_raises_with_the_code_and_links(contact, now):
    broker = ProductFactory(commercially_supported=False, forum_url="https://forum.example.com/")
    with pytest.raises(EntitlementError) as caught:
        entitlement_require(
            user=contact.user, contract=contact.contract, product=broker, version=None, now=now
        )
    assert caught.value.code == "community_only"
    assert caught.value.extra["forum"] == "https://forum.example.com/"


def test_require_returns_the_answer_when_allowed(contact, product, version, now):
    answer = entitlement_require(
        user=contact.user, contract=contact.contract, product=product, version=version, now=now
    )
    assert answer.allowed


def test_local_date_is_the_contract_time_zone_date(contract_7x24, now):
    late = now.replace(hour=23, minute=30)  # 00:30 the next day in Berlin
    assert contract_local_date(contract_7x24, late) == now.date() + timedelta(days=1)
