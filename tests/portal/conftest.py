"""Personas and a small world for the portal tests, built through the apps' services.

Acme Ltd. has a direct 5x8 contract (Asia/Shanghai); Globex Corp. a 7x24 contract (Europe/
Berlin) sold by Example Partner Co. Each has a named contact with a ticket, a message and an
attachment. The partner's user sees Globex; the outsider belongs to no organisation."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import PartnerRegistration, Product, RegistrationStatus
from sla.models import Priority
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
from tickets.models import RemoteSession, SessionStatus
from tickets.services.agreements import agreement_propose
from tickets.services.lifecycle import ticket_open
from tickets.services.messages import message_post

# Monday 2026-11-23 10:00 in Shanghai: inside 5x8 service hours.
OPENED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def _english_for_anonymous_pages(client, settings):
    """Assertions read English; logged-in personas have language "en" on their account, and
    anonymous pages follow this cookie (the default language is zh-hans)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def log_file(name: str = "emqx.log", text: str = "2026-11-23 broker crashed\n"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


@dataclass
class World:
    enterprise: object
    version: object
    old_version: object
    broker: object
    acme_contract: object
    acme_user: object
    acme_colleague: object
    acme_ticket: object
    acme_message: object
    acme_attachment: object
    acme_agreement: object
    acme_session: object
    globex_contract: object
    globex_user: object
    globex_ticket: object
    globex_attachment: object
    partner: object
    partner_user: object
    registration: object
    outsider: object
    engineer: object
    manager: object
    roleless: object


def open_ticket(contract, reporter, version, *, now=OPENED, priority=Priority.P2, **extra):
    on_duty = {}
    if contract.tier.code == "7x24":
        on_duty = {"on_duty_name": "Night Ops", "on_duty_phone": "+49 30 1234"}
    return ticket_open(
        contract=contract,
        product=version.product,
        version=version,
        priority=priority,
        subject=extra.pop("subject", "Broker refuses connections"),
        description=extra.pop("description", "All clients are disconnected."),
        reporter=reporter,
        unmodified_build=True,
        now=now,
        **on_duty,
        **extra,
    )


def build_world() -> World:
    # Products and versions are seeded by a migration (contracts 0003).
    enterprise = Product.objects.get(code="emqx-enterprise")
    broker = Product.objects.get(code="emqx-broker")
    version = enterprise.versions.get(name="5.9")
    old_version = enterprise.versions.get(name="4.4")  # past end of support
    engineer = StaffFactory(email="engineer@vendor.test")
    manager = ManagerFactory(email="manager@vendor.test")

    acme = CustomerFactory(name_en="Acme Ltd.", name_zh="阿克米有限公司")
    acme_contract = ContractFactory(
        number="ACME-5X8", customer=acme, tier=tier("5x8"), products=[enterprise]
    )
    acme_user = CustomerUserFactory(email="alice@acme.test", customer=acme)
    ContactFactory(contract=acme_contract, user=acme_user)
    acme_colleague = UserFactory(email="aaron@acme.test", customer=acme)
    acme_ticket = open_ticket(
        acme_contract, acme_user, version, priority=Priority.P1, attachments=[log_file()]
    )
    acme_attachment = acme_ticket.attachments.get()
    acme_message = message_post(
        ticket=acme_ticket,
        author=engineer,
        body="We are looking at the logs.",
        now=OPENED + timedelta(minutes=30),
    )
    acme_agreement = agreement_propose(
        ticket=acme_ticket,
        by=engineer,
        due_at=datetime(2027, 1, 15, 10, 0, tzinfo=UTC),
        reason="The fix needs a new release.",
        now=OPENED + timedelta(hours=1),
    )
    acme_session = RemoteSession.objects.create(
        ticket=acme_ticket,
        requested_by=acme_user,
        requested_at=OPENED,
        starts_at=OPENED + timedelta(hours=2),
        project_context="3-node cluster on Kubernetes",
        status=SessionStatus.DONE,
        engineer=engineer,
        next_steps="Upgrade to 5.8.1 and send the new logs.",
        follow_up="Call on Friday.",
        recorded_at=OPENED + timedelta(hours=3),
    )

    partner = PartnerFactory(name="Example Partner Co.")
    partner_user = PartnerUserFactory(email="pat@partner.test", partner=partner)
    globex = CustomerFactory(name_en="Globex Corp.", name_zh="环球公司", language="en")
    globex_contract = ContractFactory(
        number="GLOBEX-7X24",
        customer=globex,
        tier=tier("7x24"),
        timezone="Europe/Berlin",
        products=[enterprise],
        sold_by=partner,
    )
    globex_user = CustomerUserFactory(email="bob@globex.test", customer=globex)
    ContactFactory(contract=globex_contract, user=globex_user)
    globex_ticket = open_ticket(
        globex_contract, globex_user, version, attachments=[log_file("globex.log")]
    )
    globex_contract.proof.save("proof.pdf", ContentFile(b"%PDF-1.4 signed order"), save=True)
    registration = PartnerRegistration.objects.create(
        partner=partner,
        submitted_by=partner_user,
        contract=globex_contract,
        contact_name="Bob",
        contact_email="bob@globex.test",
        status=RegistrationStatus.APPROVED,
        submitted_at=OPENED - timedelta(days=30),
        decided_at=OPENED - timedelta(days=29),
        decided_by=manager,
    )
    outsider = UserFactory(email="olga@nowhere.test")
    return World(
        enterprise=enterprise,
        version=version,
        old_version=old_version,
        broker=broker,
        acme_contract=acme_contract,
        acme_user=acme_user,
        acme_colleague=acme_colleague,
        acme_ticket=acme_ticket,
        acme_message=acme_message,
        acme_attachment=acme_attachment,
        acme_agreement=acme_agreement,
        acme_session=acme_session,
        globex_contract=globex_contract,
        globex_user=globex_user,
        globex_ticket=globex_ticket,
        globex_attachment=globex_ticket.attachments.get(),
        partner=partner,
        partner_user=partner_user,
        registration=registration,
        outsider=outsider,
        engineer=engineer,
        manager=manager,
        roleless=RolelessStaffFactory(email="rory@vendor.test"),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def login(client):
    """Log a persona in (None: stay anonymous); returns the client."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        return client

    return _login
