"""Contracts, named contacts and partner subscriptions through the API."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import ContractStatus, PartnerRegistration, PartnerStatus
from tests.factories import ContactFactory

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def numbers(response) -> list[str]:
    return [c["number"] for c in response.json()["results"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("acme", ["ACME-1"]),
        ("globex", ["GLOBEX-1"]),
        ("partner", ["INI-1"]),
        ("outsider", []),
        ("staff", ["ACME-1", "GLOBEX-1", "INI-1"]),
    ],
)
def test_contracts_are_scoped_to_the_caller(world, persona, expected):
    response = world.client(persona).get("/api/v1/contracts/")
    assert response.status_code == 200
    assert numbers(response) == expected


def test_contract_list_is_paginated(world):
    body = world.client("staff").get("/api/v1/contracts/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3


def test_contract_list_filters_narrow_the_scope(world):
    response = world.client("staff").get("/api/v1/contracts/", {"tier": "7x24"})
    assert numbers(response) == ["GLOBEX-1"]
    response = world.client("acme").get("/api/v1/contracts/", {"tier": "7x24"})
    assert numbers(response) == []


def test_contract_detail_shows_tier_products_and_hours(world):
    body = world.client("acme").get("/api/v1/contracts/ACME-1/").json()
    assert body["tier"]["code"] == "5x8"
    assert body["tier"]["max_named_contacts"] == 1
    assert body["products"] == [{"code": "emqx-enterprise", "name": "EMQX Enterprise"}]
    assert body["service_hours"]
    assert body["status"] == "active"


def test_another_organisations_contract_is_404(world):
    assert world.client("globex").get("/api/v1/contracts/ACME-1/").status_code == 404
    assert world.client("globex").get("/api/v1/contracts/ACME-1/contacts/").status_code == 404


def test_contacts_are_listed(world):
    body = world.client("acme").get("/api/v1/contracts/ACME-1/contacts/").json()
    assert [c["user_email"] for c in body] == ["alice@acme.example"]


def test_adding_a_contact_within_the_cap(world):
    response = world.client("globex").post(
        "/api/v1/contracts/GLOBEX-1/contacts/",
        {"email": "gus@globex.example", "first_name": "Gus", "qq": "12345"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["user_email"] == "gus@globex.example"
    assert response.json()["qq"] == "12345"
    assert world.globex_contract.contacts.count() == 2


def test_the_tiers_cap_is_400_with_the_services_reason(world):
    response = world.client("acme").post(
        "/api/v1/contracts/ACME-1/contacts/", {"email": "bob@acme.example"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "contact_cap"
    assert "ACME-1" in body["detail"]
    assert "5x8" in body["detail"] or "1" in body["detail"]


def test_a_contact_of_another_organisation_is_refused_with_the_reason(world):
    response = world.client("globex").post(
        "/api/v1/contracts/GLOBEX-1/contacts/", {"email": "alice@acme.example"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "email_not_allowed"
    assert response.json()["field"] == "email"


def test_partner_cannot_manage_contacts_of_what_it_sold(world):
    response = world.client("partner").post(
        "/api/v1/contracts/INI-1/contacts/", {"email": "ina@initech.example"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_removing_a_contact(world):
    second = ContactFactory(contract=world.globex_contract)
    response = world.client("globex").delete(f"/api/v1/contracts/GLOBEX-1/contacts/{second.pk}/")
    assert response.status_code == 204
    assert not world.globex_contract.contacts.filter(pk=second.pk).exists()


def test_removing_another_organisations_contact_is_404(world):
    url = f"/api/v1/contracts/ACME-1/contacts/{world.acme_contact.pk}/"
    assert world.client("globex").delete(url).status_code == 404
    # The contact id under another contract's number is not found either.
    url = f"/api/v1/contracts/GLOBEX-1/contacts/{world.acme_contact.pk}/"
    assert world.client("globex").delete(url).status_code == 404
    assert world.acme_contract.contacts.count() == 1


def subscription(**overrides) -> dict:
    data = {
        "customer_name_en": "Umbrella",
        "products": ["emqx-enterprise"],
        "tier": "5x8",
        "licence_type": "subscription",
        "contract_number": "UMB-1",
        "licence_number": "LIC-UMB-1",
        "starts_on": "2026-12-01",
        "ends_on": "2027-11-30",
        "timezone": "Asia/Shanghai",
        "calendar": "CN",
        "contact_name": "Uma Umbrella",
        "contact_email": "uma@umbrella.example",
        "proof": SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def test_partner_lists_its_registrations(world):
    body = world.client("partner").get("/api/v1/partner/subscriptions/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [r["contract"] for r in body["results"]] == ["INI-1"]
    assert body["results"][0]["status"] == "approved"


@pytest.mark.parametrize("persona", ["acme", "outsider", "staff"])
def test_non_partners_get_403(world, persona):
    client = world.client(persona)
    assert client.get("/api/v1/partner/subscriptions/").status_code == 403
    response = client.post("/api/v1/partner/subscriptions/", subscription(), format="multipart")
    assert response.status_code == 403


def test_partner_registers_a_subscription_with_proof(world):
    response = world.client("partner").post(
        "/api/v1/partner/subscriptions/", subscription(), format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["contract"] == "UMB-1"
    assert body["contract_status"] == ContractStatus.PENDING
    assert body["customer_is_new"] is True
    registration = PartnerRegistration.objects.get(pk=body["id"])
    assert registration.contract.proof.read().startswith(b"%PDF-")


def test_a_proof_that_is_not_a_document_is_400_with_the_reason(world):
    fake = SimpleUploadedFile("order.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = world.client("partner").post(
        "/api/v1/partner/subscriptions/", subscription(proof=fake), format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_proof"
    assert response.json()["field"] == "proof"


def test_a_lapsed_partner_is_refused_with_the_reason(world):
    world.partner.status = PartnerStatus.LAPSED
    world.partner.save(update_fields=["status"])
    response = world.client("partner").post(
        "/api/v1/partner/subscriptions/", subscription(), format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "partner_lapsed"
    assert "Resell Co." in response.json()["detail"]


def test_another_partners_customer_is_refused_with_the_reason(world):
    acme_customer = world.acme_contract.customer.pk
    response = world.client("partner").post(
        "/api/v1/partner/subscriptions/",
        subscription(customer=acme_customer, customer_name_en=""),
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "customer_not_yours"


def test_a_community_product_is_refused_with_the_reason(world):
    response = world.client("partner").post(
        "/api/v1/partner/subscriptions/",
        subscription(products=["emqx-broker"]),
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "product_not_supported"


def test_registration_dates_are_iso(world):
    body = world.client("partner").get("/api/v1/partner/subscriptions/").json()
    assert date.fromisoformat(body["results"][0]["ends_on"]) == world.initech_contract.ends_on
