"""The contracts admin renders (pinned query counts: no N+1) and its actions, inline and
intermediate pages go through the services."""

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractReminder, ContractStatus, RegistrationStatus, SupportContact
from tests.contracts.conftest import PDF
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerUserFactory,
    PartnerUserFactory,
    RegistrationFactory,
    SuperuserFactory,
    VersionFactory,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = SuperuserFactory(email="root@vendor.test")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def data(partner):
    """A few rows of everything, so a per-row query would show in the counts."""
    for i in range(3):
        contract = ContractFactory(
            tier=tier("7x24"), sold_by=partner if i else None, products=[VersionFactory().product]
        )
        ContactFactory(contract=contract)
        ContactFactory(contract=contract)
        RegistrationFactory(partner=partner)
        ContractReminder.objects.create(contract=contract, kind="30d", sent_at=contract.created_at)
        PartnerUserFactory(partner=partner)
    return contract


# Pinned: session, user, the session's authenticator (two-factor), count, rows, filters... A
# per-row query would break these.
CHANGELISTS = [
    ("contract", 11),
    ("supportcontact", 9),
    ("partnerregistration", 10),
    ("product", 6),
    ("productversion", 9),
    ("customer", 7),
    ("partner", 6),
    ("contractreminder", 8),
]


@pytest.mark.parametrize(("model", "max_queries"), CHANGELISTS)
def test_every_changelist_renders_in_few_queries(
    admin, data, model, max_queries, django_assert_max_num_queries
):
    url = reverse(f"admin:contracts_{model}_changelist")
    with django_assert_max_num_queries(max_queries):
        response = admin.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m, _max in CHANGELISTS])
def test_changelist_queries_do_not_grow_with_rows(admin, data, partner, model):
    url = reverse(f"admin:contracts_{model}_changelist")
    with CaptureQueriesContext(connection) as before:
        admin.get(url)
    for _ in range(4):
        contract = ContractFactory(sold_by=partner, products=[VersionFactory().product])
        ContactFactory(contract=contract)
        RegistrationFactory(partner=partner)
        ContractReminder.objects.create(contract=contract, kind="7d", sent_at=contract.created_at)
    with CaptureQueriesContext(connection) as after:
        admin.get(url)
    assert len(after) == len(before)


CHANGE_PAGES = [
    ("contract", lambda c: c.pk, 14),
    ("supportcontact", lambda c: c.contacts.first().pk, 7),
    ("partnerregistration", lambda c: RegistrationFactory(partner=c.sold_by).pk, 7),
    ("product", lambda c: c.products.first().pk, 8),
    ("productversion", lambda c: c.products.first().versions.first().pk, 7),
    ("customer", lambda c: c.customer.pk, 7),
    ("partner", lambda c: c.sold_by.pk, 6),
    ("contractreminder", lambda c: c.reminders.first().pk, 6),
]


@pytest.mark.parametrize(("model", "pk_of", "max_queries"), CHANGE_PAGES)
def test_every_change_page_renders_in_few_queries(
    admin, data, model, pk_of, max_queries, django_assert_max_num_queries
):
    url = reverse(f"admin:contracts_{model}_change", args=[pk_of(data)])
    with django_assert_max_num_queries(max_queries):
        response = admin.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["contract", "product", "productversion", "customer", "partner"])
def test_add_pages_render(admin, model):
    assert admin.get(reverse(f"admin:contracts_{model}_add")).status_code == 200


def test_contract_list_shows_contacts_against_the_cap(admin, contract_5x8):
    ContactFactory(contract=contract_5x8)
    response = admin.get(reverse("admin:contracts_contract_changelist"))
    assert ">1/1<" in response.content.decode()


def test_contract_list_filters_by_expiry(admin, now):
    ContractFactory(number="SOON", ends_on=date(2026, 12, 1))
    ContractFactory(number="LATER", ends_on=date(2027, 12, 31))
    url = reverse("admin:contracts_contract_changelist")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a, **k: now.date())
        response = admin.get(url, {"ends": "30"})
    body = response.content.decode()
    assert "SOON" in body
    assert "LATER" not in body


# --- actions -----------------------------------------------------------------------------------


def post_action(admin, model, action, objects, **extra):
    url = reverse(f"admin:contracts_{model}_changelist")
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return admin.post(url, data)


def test_verify_action_calls_the_service(admin):
    contract = ContractFactory(status=ContractStatus.PENDING)
    post_action(admin, "contract", "verify", [contract], index=0)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert contract.status_changed_by == admin.user


def test_suspend_action_asks_for_a_reason_first(admin):
    contract = ContractFactory()
    response = post_action(admin, "contract", "suspend", [contract], index=0)
    assert response.status_code == 200
    assert b'name="reason"' in response.content
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_suspend_action_with_a_reason_suspends(admin):
    contract = ContractFactory()
    post_action(admin, "contract", "suspend", [contract], apply="1", reason="Unpaid")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    assert contract.status_reason == "Unpaid"


def test_change_tier_action_refuses_with_the_contacts_to_remove(admin, contract_7x24):
    bob = ContactFactory(contract=contract_7x24)
    ContactFactory(contract=contract_7x24)
    response = post_action(
        admin, "contract", "change_tier", [contract_7x24], apply="1", tier=tier("5x8").pk
    )
    contract_7x24.refresh_from_db()
    assert contract_7x24.tier.code == "7x24"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(bob.user.email in m for m in messages)


def test_approve_action_activates_the_registration(admin):
    registration = RegistrationFactory()
    post_action(admin, "partnerregistration", "approve", [registration], index=0)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.contract.contacts.count() == 1


def test_reject_action_needs_a_reason(admin):
    registration = RegistrationFactory()
    response = post_action(admin, "partnerregistration", "reject", [registration], apply="1")
    assert response.status_code == 200  # the form again, with the error
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_reject_action_with_a_reason_rejects(admin):
    registration = RegistrationFactory()
    post_action(
        admin, "partnerregistration", "reject", [registration], apply="1", reason="Bad proof"
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    assert registration.contract.status == ContractStatus.REJECTED


def test_reject_button_on_the_change_page(admin):
    registration = RegistrationFactory()
    change = admin.get(
        reverse("admin:contracts_partnerregistration_change", args=[registration.pk])
    )
    url = reverse("admin:contracts_partnerregistration_do", args=[registration.pk, "reject"])
    assert url in change.content.decode()
    assert admin.get(url).status_code == 200
    admin.post(url, {"reason": "Duplicate of A-1"})
    registration.refresh_from_db()
    assert registration.rejection_reason == "Duplicate of A-1"


def test_approve_button_on_the_change_page(admin):
    registration = RegistrationFactory()
    url = reverse("admin:contracts_partnerregistration_do", args=[registration.pk, "approve"])
    admin.post(url, {})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED


def test_queue_lists_pending_registrations_first_oldest_first(admin, now):
    decided = RegistrationFactory(status=RegistrationStatus.REJECTED, submitted_at=now)
    newer = RegistrationFactory(submitted_at=now.replace(day=20))
    older = RegistrationFactory(submitted_at=now.replace(day=10))
    response = admin.get(reverse("admin:contracts_partnerregistration_changelist"))
    rows = list(response.context["cl"].result_list)
    assert rows == [older, newer, decided]


def test_queue_flags_possible_duplicates(admin):
    ContractFactory(licence_number="LIC-1")
    RegistrationFactory(contract=ContractFactory(licence_number="LIC-1", status="pending"))
    response = admin.get(reverse("admin:contracts_partnerregistration_changelist"))
    assert "possible duplicate" in response.content.decode()


def test_proof_is_downloaded_through_the_admin(admin):
    contract = ContractFactory()
    contract.proof.save("proof.pdf", ContentFile(PDF))
    response = admin.get(reverse("admin:contracts_contract_proof", args=[contract.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_proof_download_needs_staff(client):
    contract = ContractFactory()
    contract.proof.save("proof.pdf", ContentFile(PDF))
    client.force_login(CustomerUserFactory(customer=contract.customer))
    response = client.get(reverse("admin:contracts_contract_proof", args=[contract.pk]))
    assert response.status_code == 302  # to the admin login


# --- the named contacts inline -----------------------------------------------------------------


def change_form(contract, rows, **changes):
    data = {
        "number": contract.number,
        "customer": contract.customer_id,
        "products": [p.pk for p in contract.products.all()],
        "tier": contract.tier_id,
        "licence_type": contract.licence_type,
        "licence_number": contract.licence_number,
        "sold_by": contract.sold_by_id or "",
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "timezone": contract.timezone,
        "calendar": contract.calendar_id,
        "agreed_hours": contract.agreed_hours,
        "contacts-TOTAL_FORMS": len(rows),
        "contacts-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "contacts-MIN_NUM_FORMS": 0,
        "contacts-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data[f"contacts-{i}-contract"] = contract.pk
        for key, value in row.items():
            data[f"contacts-{i}-{key}"] = value
    data.update(changes)
    return data


def test_inline_refuses_a_contact_over_the_cap(admin, contract_5x8):
    existing = ContactFactory(contract=contract_5x8)
    url = reverse("admin:contracts_contract_change", args=[contract_5x8.pk])
    response = admin.post(
        url, change_form(contract_5x8, [{"id": existing.pk}, {"email": "extra@customer.test"}])
    )
    assert response.status_code == 200
    assert "allows 1 named contact" in response.content.decode()
    assert contract_5x8.contacts.count() == 1


def test_inline_adds_a_contact_through_the_service(
    admin, contract_7x24, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("admin:contracts_contract_change", args=[contract_7x24.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url, change_form(contract_7x24, [{"email": "new@customer.test", "qq": "42"}])
        )
    assert response.status_code == 302
    contact = contract_7x24.contacts.get()
    assert contact.user.customer == contract_7x24.customer
    assert contact.added_by == admin.user
    assert contact.qq == "42"
    assert mailoutbox[0].to == ["new@customer.test"]


def test_inline_refuses_a_user_of_another_customer(admin, contract_7x24, other_customer):
    outsider = CustomerUserFactory(customer=other_customer)
    url = reverse("admin:contracts_contract_change", args=[contract_7x24.pk])
    response = admin.post(url, change_form(contract_7x24, [{"email": outsider.email}]))
    assert response.status_code == 200
    assert not contract_7x24.contacts.exists()


def test_tier_downgrade_on_the_form_with_two_contacts_is_refused(admin, contract_7x24):
    rows = [{"id": ContactFactory(contract=contract_7x24).pk} for _ in range(2)]
    url = reverse("admin:contracts_contract_change", args=[contract_7x24.pk])
    response = admin.post(url, change_form(contract_7x24, rows, tier=tier("5x8").pk))
    assert response.status_code == 200
    assert "Remove 1 of them first" in response.content.decode()
    contract_7x24.refresh_from_db()
    assert contract_7x24.tier.code == "7x24"


def test_tier_downgrade_with_a_removal_in_the_same_save(admin, contract_7x24):
    keep, drop = ContactFactory(contract=contract_7x24), ContactFactory(contract=contract_7x24)
    rows = [{"id": keep.pk}, {"id": drop.pk, "DELETE": "on"}]
    url = reverse("admin:contracts_contract_change", args=[contract_7x24.pk])
    response = admin.post(url, change_form(contract_7x24, rows, tier=tier("5x8").pk))
    assert response.status_code == 302
    contract_7x24.refresh_from_db()
    assert contract_7x24.tier.code == "5x8"
    assert list(contract_7x24.contacts.all()) == [keep]


def test_status_is_not_editable_on_the_form(admin, contract_5x8):
    url = reverse("admin:contracts_contract_change", args=[contract_5x8.pk])
    admin.post(url, change_form(contract_5x8, [], status="suspended"))
    contract_5x8.refresh_from_db()
    assert contract_5x8.status == ContractStatus.ACTIVE


def test_contacts_list_cannot_add_directly(admin):
    assert admin.get(reverse("admin:contracts_supportcontact_add")).status_code == 403


def test_deleting_from_the_contacts_list_uses_the_service(admin, contact):
    url = reverse("admin:contracts_supportcontact_delete", args=[contact.pk])
    admin.post(url, {"post": "yes"})
    assert not SupportContact.objects.filter(pk=contact.pk).exists()
