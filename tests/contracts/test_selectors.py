"""Selectors scope first: the permission matrix of customers A and B, a partner, staff and an
outsider; then the FilterSet narrows."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from contracts.filters import ContractFilter
from contracts.models import Contract, ContractStatus
from contracts.selectors import (
    contacts_for_user,
    contracts_for_user,
    customers_for_partner,
    registrations_for_user,
)
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerUserFactory,
    PartnerUserFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partner):
    direct_a = ContractFactory(number="A-1")
    sold_b = ContractFactory(number="B-1", sold_by=partner)
    registration = RegistrationFactory(partner=partner)
    other_registration = RegistrationFactory()
    return {
        "a": direct_a,
        "b": sold_b,
        "registration": registration,
        "other_registration": other_registration,
        "customer_a": CustomerUserFactory(customer=direct_a.customer),
        "customer_b": CustomerUserFactory(customer=sold_b.customer),
    }


def numbers(qs):
    return sorted(c.number for c in qs)


def test_customer_users_see_their_organisations_contracts(world):
    assert numbers(contracts_for_user(world["customer_a"])) == ["A-1"]
    assert numbers(contracts_for_user(world["customer_b"])) == ["B-1"]


def test_partner_users_see_the_contracts_they_sold(world, partner_user):
    expected = sorted(["B-1", world["registration"].contract.number])
    assert numbers(contracts_for_user(partner_user)) == expected


def test_staff_see_all_contracts(world):
    assert contracts_for_user(StaffFactory()).count() == Contract.objects.count()


def test_users_of_no_organisation_and_anonymous_see_nothing(world):
    assert not contracts_for_user(UserFactory()).exists()
    assert not contracts_for_user(AnonymousUser()).exists()


def test_deactivated_users_see_nothing(world):
    user = world["customer_a"]
    user.is_active = False
    assert not contracts_for_user(user).exists()


def test_registrations_are_the_partners_own(world, partner_user):
    assert list(registrations_for_user(partner_user)) == [world["registration"]]
    assert not registrations_for_user(world["customer_a"]).exists()
    assert registrations_for_user(StaffFactory()).count() == 2


def test_customers_for_partner_are_those_it_registered(world, partner_user):
    expected = {world["b"].customer, world["registration"].contract.customer}
    assert set(customers_for_partner(partner_user)) == expected
    assert not customers_for_partner(world["customer_a"]).exists()
    assert not customers_for_partner(PartnerUserFactory()).exists()


def test_contacts_are_scoped_like_contracts(world):
    mine = ContactFactory(contract=world["a"])
    ContactFactory(contract=world["b"])
    assert list(contacts_for_user(world["customer_a"])) == [mine]


def test_filter_narrows_the_scoped_queryset(world, partner):
    ContractFactory(number="B-2", sold_by=partner, tier=tier("7x24"), ends_on=date(2026, 12, 20))
    ContractFactory(number="B-3", sold_by=partner, status=ContractStatus.SUSPENDED)
    scoped = contracts_for_user(PartnerUserFactory(partner=partner))
    assert numbers(ContractFilter({"tier": "7x24"}, queryset=scoped).qs) == ["B-2"]
    assert numbers(ContractFilter({"status": ["suspended"]}, queryset=scoped).qs) == ["B-3"]
    assert numbers(ContractFilter({"expiring_before": "2026-12-31"}, queryset=scoped).qs) == ["B-2"]


def test_filter_by_partner_and_direct(world, partner):
    qs = Contract.objects.all()
    assert "B-1" in numbers(ContractFilter({"partner": partner.pk}, queryset=qs).qs)
    assert numbers(ContractFilter({"direct": "true"}, queryset=qs).qs) == ["A-1"]
