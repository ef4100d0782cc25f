"""Verification, suspension, reactivation and expiry of contracts."""

from datetime import UTC, date, datetime

import pytest

from contracts.models import ContractStatus, RegistrationStatus
from contracts.services import (
    contract_reactivate,
    contract_suspend,
    contract_verify,
    contracts_expire,
)
from core.errors import ServiceError
from tests.factories import ContractFactory, CustomerUserFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_verify_activates_a_pending_contract_and_records_who_and_when(manager, now):
    contract = ContractFactory(status=ContractStatus.PENDING)
    contract_verify(contract=contract, by=manager, now=now)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert contract.status_changed_by == manager
    assert contract.status_changed_at == now


def test_verify_refuses_a_contract_that_is_not_pending(manager, now):
    contract = ContractFactory(status=ContractStatus.SUSPENDED)
    with pytest.raises(ServiceError) as caught:
        contract_verify(contract=contract, by=manager, now=now)
    assert caught.value.code == "wrong_status"


def test_only_staff_verify(now):
    contract = ContractFactory(status=ContractStatus.PENDING)
    with pytest.raises(ServiceError) as caught:
        contract_verify(
            contract=contract, by=CustomerUserFactory(customer=contract.customer), now=now
        )
    assert caught.value.code == "forbidden"


def test_verifying_a_partner_contract_approves_its_registration(manager, now):
    registration = RegistrationFactory()
    contract_verify(contract=registration.contract, by=manager, now=now)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.contract.contacts.get().user.email == registration.contact_email


def test_suspend_records_the_reason(manager, now):
    contract = ContractFactory()
    contract_suspend(contract=contract, by=manager, reason="Unpaid invoice", now=now)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    assert contract.status_reason == "Unpaid invoice"
    assert contract.status_changed_by == manager


def test_suspend_requires_a_reason(manager, now):
    with pytest.raises(ServiceError) as caught:
        contract_suspend(contract=ContractFactory(), by=manager, reason="  ", now=now)
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")


def test_suspend_refuses_a_pending_contract(manager, now):
    with pytest.raises(ServiceError) as caught:
        contract_suspend(
            contract=ContractFactory(status=ContractStatus.PENDING), by=manager, reason="x", now=now
        )
    assert caught.value.code == "wrong_status"


def test_reactivate_a_suspended_contract(manager, now):
    contract = ContractFactory(status=ContractStatus.SUSPENDED, status_reason="Unpaid")
    contract_reactivate(contract=contract, by=manager, now=now)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert contract.status_reason == ""


def test_reactivate_an_expired_contract_whose_term_was_extended(manager, now):
    contract = ContractFactory(status=ContractStatus.EXPIRED, ends_on=date(2027, 12, 31))
    contract_reactivate(contract=contract, by=manager, now=now)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_reactivate_refuses_a_term_that_is_over(manager, now):
    contract = ContractFactory(status=ContractStatus.EXPIRED, ends_on=date(2026, 6, 30))
    with pytest.raises(ServiceError) as caught:
        contract_reactivate(contract=contract, by=manager, now=now)
    assert caught.value.code == "term_over"


def test_reactivate_refuses_an_active_contract(manager, now):
    with pytest.raises(ServiceError) as caught:
        contract_reactivate(contract=ContractFactory(), by=manager, now=now)
    assert caught.value.code == "wrong_status"


def test_expire_uses_the_local_date_of_each_contract():
    # 2026-12-31 16:30 UTC: already 2027-01-01 in Shanghai, still 2026-12-31 in Berlin.
    moment = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    shanghai = ContractFactory(ends_on=date(2026, 12, 31), timezone="Asia/Shanghai")
    berlin = ContractFactory(ends_on=date(2026, 12, 31), timezone="Europe/Berlin")
    assert contracts_expire(now=moment) == 1
    shanghai.refresh_from_db()
    berlin.refresh_from_db()
    assert shanghai.status == ContractStatus.EXPIRED
    assert shanghai.status_changed_at == moment
    assert berlin.status == ContractStatus.ACTIVE


def test_expire_also_ends_suspended_contracts_but_not_pending_ones(now):
    suspended = ContractFactory(ends_on=date(2026, 1, 31), status=ContractStatus.SUSPENDED)
    pending = ContractFactory(ends_on=date(2026, 1, 31), status=ContractStatus.PENDING)
    contracts_expire(now=now)
    suspended.refresh_from_db()
    pending.refresh_from_db()
    assert suspended.status == ContractStatus.EXPIRED
    assert pending.status == ContractStatus.PENDING


def test_expire_twice_changes_nothing_the_second_time(now):
    ContractFactory(ends_on=date(2026, 1, 31))
    assert contracts_expire(now=now) == 1
    assert contracts_expire(now=now) == 0
