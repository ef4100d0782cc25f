"""manage.py demo_data: the personas of the README, through the services, idempotent."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from contracts.models import (
    Contract,
    ContractStatus,
    Customer,
    Partner,
    PartnerRegistration,
    RegistrationStatus,
    SupportContact,
)
from core.roles import ENGINEER, has_staff_permission

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"


@pytest.fixture
def demo():
    call_command("demo_data", verbosity=0)


def snapshot():
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("email", "password", "customer", "partner")),
        "customers": sorted(Customer.objects.values_list("name_en", "name_zh")),
        "contracts": sorted(Contract.objects.values_list("number", "status", "tier__code")),
        "contacts": sorted(SupportContact.objects.values_list("contract__number", "user__email")),
        "registrations": PartnerRegistration.objects.count(),
        "partners": Partner.objects.count(),
    }


def test_running_twice_gives_the_same_data(demo):
    first = snapshot()
    call_command("demo_data", verbosity=0)
    assert snapshot() == first


@pytest.mark.parametrize(
    "email",
    [
        "manager@example.com",
        "engineer@example.com",
        "alice@acme.example",
        "bob@globex.example",
        "carol@globex.example",
        "dave@initech.example",
        "pat@partner.example",
    ],
)
def test_every_persona_logs_in_with_the_demo_password(demo, email):
    assert get_user_model().objects.get(email=email).check_password(PASSWORD)


def test_manager_has_the_manager_role_and_an_authenticator(demo):
    manager = get_user_model().objects.get(email="manager@example.com")
    assert manager.is_staff and not manager.is_superuser and manager.is_support_manager
    assert has_staff_permission(manager, "sla.change_target")
    assert TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


def test_engineer_has_the_engineer_role(demo):
    engineer = get_user_model().objects.get(email="engineer@example.com")
    assert engineer.is_staff and not engineer.is_superuser and not engineer.is_support_manager
    assert engineer.groups.filter(name=ENGINEER).exists()
    assert has_staff_permission(engineer, "tickets.change_ticket")
    assert not has_staff_permission(engineer, "sla.change_target")


def test_acme_has_alice_on_an_active_5x8_contract(demo):
    contract = Contract.objects.get(number="ACME-5X8")
    assert contract.status == ContractStatus.ACTIVE
    assert (contract.tier.code, contract.timezone, contract.calendar.code) == (
        "5x8",
        "Asia/Shanghai",
        "CN",
    )
    assert contract.customer.name_zh == "艾克米有限公司"
    assert [p.name for p in contract.products.all()] == ["EMQX Enterprise"]
    assert [c.user.email for c in contract.contacts.all()] == ["alice@acme.example"]


def test_globex_has_bob_and_carol_on_a_7x24_contract(demo):
    contract = Contract.objects.get(number="GLOBEX-7X24")
    assert contract.status == ContractStatus.ACTIVE
    assert (contract.tier.code, contract.timezone, contract.calendar.code) == (
        "7x24",
        "Europe/Berlin",
        "NONE",
    )
    assert [p.name for p in contract.products.all()] == ["EMQX Platform"]
    emails = sorted(c.user.email for c in contract.contacts.all())
    assert emails == ["bob@globex.example", "carol@globex.example"]


def test_initech_was_registered_by_the_partner_and_is_pending(demo):
    contract = Contract.objects.get(number="INITECH-5X8")
    assert contract.status == ContractStatus.PENDING
    assert contract.sold_by.name == "Example Partner Co."
    assert contract.registration.status == RegistrationStatus.PENDING
    assert contract.proof
    dave = get_user_model().objects.get(email="dave@initech.example")
    assert dave.customer == contract.customer


def test_pat_belongs_to_the_authorised_partner(demo):
    pat = get_user_model().objects.get(email="pat@partner.example")
    assert pat.partner.name == "Example Partner Co."
    assert pat.partner.status == "active"


def test_terms_are_current_late_in_2026(demo):
    for contract in Contract.objects.all():
        assert contract.starts_on.isoformat() <= "2026-11-25" <= contract.ends_on.isoformat()


def test_no_mail_is_sent_by_default(demo, mailoutbox):
    assert mailoutbox == []


@freeze_time("2026-11-25 06:00:00")  # a Wednesday, 14:00 in Shanghai
def test_demo_tickets_show_each_sla_state_once():
    from tickets.models import Ticket

    call_command("demo_data", verbosity=0)
    call_command("demo_data", verbosity=0)  # a second run adds no ticket

    states = sorted(Ticket.objects.values_list("contract__number", "priority", "sla_state"))
    assert states == [
        ("ACME-5X8", "P1", "met"),
        ("ACME-5X8", "P2", "breached"),
        ("ACME-5X8", "P3", "paused"),
        ("GLOBEX-7X24", "P1", "at_risk"),
        ("GLOBEX-7X24", "P2", "running"),
    ]
    proposed = Ticket.objects.get(contract__number="GLOBEX-7X24", priority="P2")
    assert proposed.agreements.filter(status="proposed").exists()
