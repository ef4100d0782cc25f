"""The partner area: register resold subscriptions with proof, follow them, and see the
customers' contracts and the SLA state of their tickets (read only)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts.models import ContractStatus, PartnerRegistration, PartnerStatus, RegistrationStatus
from contracts.services import registration_reject
from sla.models import HolidayCalendar

pytestmark = pytest.mark.django_db


def _registration_data(world, **changes):
    data = {
        "customer_name_en": "Initech",
        "customer_name_zh": "艾尼科技",
        "country": "CN",
        "products": [world.enterprise.pk],
        "tier": world.acme_contract.tier_id,
        "licence_type": "subscription",
        "contract_number": "INI-2027",
        "licence_number": "LIC-1",
        "starts_on": "2026-12-01",
        "ends_on": "2027-11-30",
        "timezone": "Asia/Shanghai",
        "calendar": HolidayCalendar.objects.get(code="CN").pk,
        "contact_name": "Dave",
        "contact_email": "dave@initech.test",
        "proof": SimpleUploadedFile("order.pdf", b"%PDF-1.4 order", "application/pdf"),
    }
    data.update(changes)
    return data


def test_partner_registers_a_subscription_with_proof(world, login):
    response = login(world.partner_user).post(
        reverse("portal:registration-create"), _registration_data(world)
    )
    registration = PartnerRegistration.objects.get(contract__number="INI-2027")
    assert response["Location"] == reverse("portal:registration-detail", args=[registration.pk])
    assert registration.status == RegistrationStatus.PENDING
    assert registration.contract.status == ContractStatus.PENDING
    assert registration.contract.sold_by == world.partner
    html = login(world.partner_user).get(response["Location"]).content.decode()
    assert "A support manager is verifying the proof document." in html
    assert "Initech" in html


def test_a_proof_that_is_not_a_document_is_refused(world, login):
    data = _registration_data(world, proof=SimpleUploadedFile("order.pdf", b"hello"))
    response = login(world.partner_user).post(reverse("portal:registration-create"), data)
    assert "must be a PDF, PNG or JPEG file" in response.content.decode()
    assert not PartnerRegistration.objects.filter(contract__number="INI-2027").exists()


def test_a_lapsed_partner_is_told_why(world, login):
    world.partner.status = PartnerStatus.LAPSED
    world.partner.save()
    response = login(world.partner_user).post(
        reverse("portal:registration-create"), _registration_data(world)
    )
    assert "has lapsed; it cannot register subscriptions" in response.content.decode()


def test_registration_form_only_offers_the_partners_own_customers(world, login):
    html = login(world.partner_user).get(reverse("portal:registration-create")).content.decode()
    assert "Globex Corp." in html
    assert "Acme Ltd." not in html


def test_registrations_list_shows_status_and_rejection_reason(world, login):
    login(world.partner_user).post(reverse("portal:registration-create"), _registration_data(world))
    registration = PartnerRegistration.objects.get(contract__number="INI-2027")
    registration_reject(
        registration=registration,
        by=world.manager,
        reason="The proof is an offer, not a signed order.",
        now=timezone.now() + timedelta(minutes=5),
    )
    client = login(world.partner_user)
    html = client.get(reverse("portal:registration-list")).content.decode()
    assert "INI-2027" in html
    assert "badge status-rejected" in html
    assert "The proof is an offer, not a signed order." in html
    detail = client.get(reverse("portal:registration-detail", args=[registration.pk]))
    assert "Reason: The proof is an offer, not a signed order." in detail.content.decode()


def test_proof_downloads_for_the_partner(world, login):
    response = login(world.partner_user).get(
        reverse("portal:registration-proof", args=[world.registration.pk])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_partner_overview_shows_customers_contracts_and_sla_counts(world, login):
    html = login(world.partner_user).get(reverse("portal:partner-dashboard")).content.decode()
    assert "Globex Corp." in html
    assert "GLOBEX-7X24" in html
    assert "ACME-5X8" not in html
    assert "on track" in html or "breached" in html or "at risk" in html


def test_partner_ticket_list_is_read_only(world, login):
    html = login(world.partner_user).get(reverse("portal:partner-ticket-list")).content.decode()
    assert f"#{world.globex_ticket.pk}" in html
    assert f'class="badge sla-{world.globex_ticket.sla_state}"' in html
    assert reverse("portal:ticket-detail", args=[world.globex_ticket.pk]) not in html
    assert "Broker refuses connections" in html
    assert f"#{world.acme_ticket.pk}<" not in html
