"""The API's personas and the objects they reach, built once per test.

| persona   | who                                                                 |
| --------- | ------------------------------------------------------------------- |
| acme      | named contact of Acme's 5x8 contract ACME-1 (EMQX Enterprise)       |
| globex    | named contact of Globex's 7x24 contract GLOBEX-1                    |
| partner   | user of a partner that sold and registered Initech's contract INI-1 |
| outsider  | a user of no organisation                                           |
| anonymous | no credentials                                                      |
| engineer  | a support engineer (role "support engineer")                        |
| manager   | a support manager (role "support manager")                          |
| roleless  | is_staff without a role: may do nothing a staff member does         |
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time
from knox.models import AuthToken
from rest_framework.test import APIClient

from contracts.models import PartnerRegistration, Product, ProductVersion, RegistrationStatus
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    CustomerUserFactory,
    ManagerFactory,
    PartnerFactory,
    PartnerUserFactory,
    RolelessStaffFactory,
    StaffFactory,
    UserFactory,
    tier,
)
from tests.tickets.factories import RemoteSessionFactory
from tickets.services import agreement_propose, attachment_add, message_post, ticket_open

# Wed 2026-11-25 10:00 in Shanghai: inside 5x8 hours, every contract and version current.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
PERSONAS = ["acme", "globex", "partner", "outsider", "anonymous", "engineer", "manager", "roleless"]


@dataclass
class World:
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def client(self, persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[persona]}")
        return client

    def add(self, persona: str, user) -> None:
        self.users[persona] = user
        self.tokens[persona] = AuthToken.objects.create(user=user)[1]

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def frozen():
    """Time stands at NOW (not autouse: freezegun breaks DRF's throttle timer)."""
    with freeze_time(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def enterprise() -> Product:
    return Product.objects.get(code="emqx-enterprise")


@pytest.fixture
def world(db, enterprise) -> World:
    w = World()
    version = ProductVersion.objects.get(product=enterprise, name="5.9")
    acme = ContractFactory(
        number="ACME-1", customer=CustomerFactory(name_en="Acme"), products=[enterprise]
    )
    globex = ContractFactory(
        number="GLOBEX-1",
        customer=CustomerFactory(name_en="Globex"),
        tier=tier("7x24"),
        products=[enterprise],
    )
    partner = PartnerFactory(name="Resell Co.")
    initech = ContractFactory(
        number="INI-1",
        customer=CustomerFactory(name_en="Initech"),
        products=[enterprise],
        sold_by=partner,
    )
    partner_user = PartnerUserFactory(partner=partner, email="paula@resell.example")
    registration = PartnerRegistration.objects.create(
        partner=partner,
        submitted_by=partner_user,
        contract=initech,
        contact_name="Ina Initech",
        contact_email="ina@initech.example",
        submitted_at=NOW,
        status=RegistrationStatus.APPROVED,
    )
    acme_contact = ContactFactory(
        contract=acme, user=CustomerUserFactory(customer=acme.customer, email="alice@acme.example")
    )
    globex_contact = ContactFactory(contract=globex)
    initech_contact = ContactFactory(contract=initech)
    w.users = {
        "acme": acme_contact.user,
        "globex": globex_contact.user,
        "partner": partner_user,
        "outsider": UserFactory(email="olly@nowhere.example"),
        "engineer": StaffFactory(email="sam@vendor.example"),
        "manager": ManagerFactory(email="mia@vendor.example"),
        "roleless": RolelessStaffFactory(email="rory@vendor.example"),
    }
    w.tokens = {name: AuthToken.objects.create(user=user)[1] for name, user in w.users.items()}
    # "staff" in the other API tests is the engineer.
    w.users["staff"], w.tokens["staff"] = w.users["engineer"], w.tokens["engineer"]
    w.objects.update(
        acme_token_key=w.tokens["acme"][:15],
        acme_contract=acme,
        globex_contract=globex,
        initech_contract=initech,
        acme_contact=acme_contact,
        globex_contact=globex_contact,
        partner=partner,
        registration=registration,
        version=version,
        enterprise=enterprise,
        today=date(2026, 11, 25),
    )
    staff = w.users["engineer"]
    common = {"product": enterprise, "version": version, "unmodified_build": True}

    def open_ticket(contract, reporter, priority, subject, **extra):
        return ticket_open(
            contract=contract,
            reporter=reporter,
            priority=priority,
            subject=subject,
            description=f"{subject}: details.",
            now=NOW,
            **common,
            **extra,
        )

    # Acme's ticket has been answered and has a proposed resolution time waiting.
    acme_ticket = open_ticket(acme, acme_contact.user, "P2", "Cluster unstable")
    message_post(ticket=acme_ticket, author=staff, body="Looking into it.", now=NOW)
    message_post(
        ticket=acme_ticket, author=staff, body="Internal: check disk.", public=False, now=NOW
    )
    proposal = agreement_propose(
        ticket=acme_ticket,
        by=staff,
        due_at=NOW + timedelta(days=20),
        reason="Needs a patch",
        now=NOW,
    )
    # Answered, nothing proposed: support may propose here.
    acme_answered = open_ticket(acme, acme_contact.user, "P3", "Slow subscriptions")
    message_post(ticket=acme_answered, author=staff, body="Which version?", now=NOW)
    globex_ticket = open_ticket(
        globex,
        globex_contact.user,
        "P1",
        "Broker down",
        on_duty_name="Gina",
        on_duty_phone="+86 138 1111 1111",
    )
    initech_ticket = open_ticket(initech, initech_contact.user, "P3", "Rule engine question")
    # A log on the answered ticket, and a remote session on the other that starts now, so
    # support can record it (the service books future sessions only).
    acme_file = attachment_add(
        ticket=acme_answered,
        file=SimpleUploadedFile("broker.log", b"2026-11-25 10:00 ERROR node down\n"),
        by=acme_contact.user,
        now=NOW,
    )
    acme_session = RemoteSessionFactory(ticket=acme_ticket, requested_by=acme_contact.user)
    w.objects.update(
        acme_ticket=acme_ticket,
        acme_answered=acme_answered,
        acme_file=acme_file,
        acme_session=acme_session,
        proposal=proposal,
        globex_ticket=globex_ticket,
        initech_ticket=initech_ticket,
    )
    return w
