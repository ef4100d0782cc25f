"""Partner registrations: submit, approve, reject, and possible duplicates."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from contracts.models import (
    Contract,
    ContractStatus,
    Customer,
    LicenceType,
    PartnerRegistration,
    RegistrationStatus,
)
from contracts.selectors import registration_duplicates, with_duplicate_flag
from contracts.services import registration_approve, registration_reject, registration_submit
from core.errors import ServiceError
from tests.contracts.conftest import JPEG, PDF
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    CustomerUserFactory,
    PartnerFactory,
    PartnerUserFactory,
    ProductFactory,
    RegistrationFactory,
    calendar,
    tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(product, partner_user, now):
    """The keyword arguments of a valid registration of a new customer."""
    return {
        "user": partner_user,
        "customer_name_en": "Initrode Inc.",
        "customer_name_zh": "英尼特罗德",
        "country": "CN",
        "products": [product],
        "tier": tier("5x8"),
        "licence_type": LicenceType.SUBSCRIPTION,
        "contract_number": "P-0001",
        "licence_number": "LIC-0001",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2027, 12, 31),
        "timezone": "Asia/Shanghai",
        "calendar": calendar("CN"),
        "proof": ContentFile(PDF, name="order.pdf"),
        "contact_name": "Ivy Wang",
        "contact_email": "ivy@initrode.test",
        "contact_phone": "+86 139 0000 0000",
        "now": now,
    }


def refused(submission, **changes) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        registration_submit(**{**submission, **changes})
    return caught.value


def test_submit_creates_the_pending_contract_and_the_new_customer(submission, partner):
    registration = registration_submit(**submission)
    contract = registration.contract
    assert contract.status == ContractStatus.PENDING
    assert contract.sold_by == partner
    assert contract.customer.name_en == "Initrode Inc."
    assert contract.customer.name_zh == "英尼特罗德"
    assert registration.customer_is_new
    assert registration.status == RegistrationStatus.PENDING
    assert registration.submitted_at == submission["now"]
    assert list(contract.products.all()) == submission["products"]


def test_submit_stores_the_proof_privately_under_a_random_name(submission, settings):
    contract = registration_submit(**submission).contract
    assert contract.proof.name.startswith("proofs/")
    assert contract.proof.name.endswith(".pdf")
    assert "order" not in contract.proof.name
    assert default_storage.open(contract.proof.name).read() == PDF
    assert (settings.PRIVATE_MEDIA_ROOT / contract.proof.name).is_file()


def test_submit_names_the_file_by_its_content_not_its_extension(submission):
    proof = ContentFile(JPEG, name="scan.pdf")
    contract = registration_submit(**{**submission, "proof": proof}).contract
    assert contract.proof.name.endswith(".jpg")


def test_submit_tells_the_support_managers(
    submission, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_submit(**submission)
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert "P-0001" in mailoutbox[0].subject


def test_a_customer_user_cannot_register(submission):
    error = refused(submission, user=CustomerUserFactory())
    assert error.code == "not_partner"


def test_a_lapsed_partner_cannot_register(submission, partner):
    partner.authorised_until = date(2026, 11, 24)
    partner.save()
    assert refused(submission).code == "partner_lapsed"


def test_a_partner_may_pick_a_customer_it_registered_before(submission, partner):
    earlier = ContractFactory(sold_by=partner, number="P-OLD")
    registration = registration_submit(
        **{**submission, "customer": earlier.customer, "customer_name_en": ""}
    )
    assert registration.contract.customer == earlier.customer
    assert not registration.customer_is_new


def test_a_partner_may_not_pick_someone_elses_customer(submission):
    direct = ContractFactory()  # the vendor's own customer
    error = refused(submission, customer=direct.customer, customer_name_en="")
    assert error.code == "customer_not_yours"
    assert error.field == "customer"


def test_a_new_customer_needs_a_name(submission):
    error = refused(submission, customer_name_en=" ")
    assert (error.code, error.field) == ("customer_required", "customer_name_en")


def test_community_only_products_cannot_be_registered(submission):
    broker = ProductFactory(commercially_supported=False)
    assert refused(submission, products=[broker]).code == "product_not_supported"


def test_a_taken_contract_number_is_refused(submission):
    ContractFactory(number="p-0001")
    assert refused(submission).code == "number_taken"


def test_a_rejected_registration_can_be_corrected_and_submitted_again(submission, manager, now):
    first = registration_submit(**submission)
    registration_reject(registration=first, by=manager, reason="Wrong proof", now=now)
    second = registration_submit(
        **{
            **submission,
            "customer_name_en": "Initrode Corp.",
            "proof": ContentFile(PDF, name="fixed.pdf"),
        }
    )
    assert second.pk == first.pk
    assert second.status == RegistrationStatus.PENDING
    assert second.rejection_reason == ""
    contract = Contract.objects.get(number="P-0001")
    assert contract.status == ContractStatus.PENDING
    assert contract.customer.name_en == "Initrode Corp."
    assert Customer.objects.count() == 1


def test_another_partner_cannot_take_over_a_rejected_number(submission, manager, now):
    first = registration_submit(**submission)
    registration_reject(registration=first, by=manager, reason="Wrong proof", now=now)
    error = refused(
        submission,
        user=PartnerUserFactory(),
        proof=ContentFile(PDF, name="x.pdf"),
    )
    assert error.code == "number_taken"


def test_a_term_that_already_ended_is_refused(submission):
    error = refused(submission, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    assert error.code == "term_over"


def test_an_unknown_time_zone_is_refused(submission):
    error = refused(submission, timezone="Mars/Olympus")
    assert (error.code, error.field) == ("invalid_timezone", "timezone")


def test_a_proof_that_is_not_pdf_png_or_jpeg_is_refused(submission):
    fake = ContentFile(b"MZ\x90\x00 this is an executable", name="order.pdf")
    error = refused(submission, proof=fake)
    assert error.code == "invalid_proof"
    assert not Contract.objects.exists()


def test_a_proof_over_the_size_limit_is_refused(submission, settings):
    settings.PROOF_MAX_BYTES = 10
    error = refused(submission)
    assert (error.code, error.field) == ("invalid_proof", "proof")


def test_the_first_contact_must_not_belong_to_another_organisation(submission):
    CustomerUserFactory(email="ivy@initrode.test")
    error = refused(submission)
    assert (error.code, error.field) == ("email_not_allowed", "contact_email")


def test_approve_activates_the_contract_and_invites_the_first_contact(
    manager, now, mailoutbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(contact_name="Dana Lee")
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration=registration, by=manager, now=now)
    registration.refresh_from_db()
    contract = registration.contract
    assert registration.status == RegistrationStatus.APPROVED
    assert (registration.decided_by, registration.decided_at) == (manager, now)
    assert contract.status == ContractStatus.ACTIVE
    assert contract.status_changed_by == manager
    user = contract.contacts.get().user
    assert user.email == registration.contact_email
    assert user.customer == contract.customer
    assert user.first_name == "Dana Lee"
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([registration.contact_email, registration.submitted_by.email])
    invitation = next(m for m in mailoutbox if m.to == [registration.contact_email])
    assert "/password/set/" in invitation.body


def test_approve_keeps_an_existing_contact(manager, now):
    registration = RegistrationFactory()
    contact = ContactFactory(contract=registration.contract)
    registration.contact_email = contact.user.email
    registration.save()
    registration_approve(registration=registration, by=manager, now=now)
    assert registration.contract.contacts.get() == contact


def test_approve_is_refused_once_the_partner_lapsed(manager, now):
    registration = RegistrationFactory(partner=PartnerFactory(authorised_until=date(2026, 1, 1)))
    with pytest.raises(ServiceError) as caught:
        registration_approve(registration=registration, by=manager, now=now)
    assert caught.value.code == "partner_lapsed"


def test_a_decided_registration_cannot_be_decided_again(manager, now):
    registration = RegistrationFactory()
    registration_approve(registration=registration, by=manager, now=now)
    with pytest.raises(ServiceError) as caught:
        registration_reject(registration=registration, by=manager, reason="late", now=now)
    assert caught.value.code == "already_decided"


def test_only_staff_approve(now):
    registration = RegistrationFactory()
    with pytest.raises(ServiceError) as caught:
        registration_approve(registration=registration, by=registration.submitted_by, now=now)
    assert caught.value.code == "forbidden"


def test_reject_requires_a_reason(manager, now):
    with pytest.raises(ServiceError) as caught:
        registration_reject(registration=RegistrationFactory(), by=manager, reason="", now=now)
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")


def test_reject_marks_the_contract_rejected_and_tells_the_partner(
    manager, now, mailoutbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration_reject(
            registration=registration, by=manager, reason="Proof is unreadable", now=now
        )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    assert registration.rejection_reason == "Proof is unreadable"
    assert registration.contract.status == ContractStatus.REJECTED
    assert registration.contract.status_reason == "Proof is unreadable"
    assert mailoutbox[0].to == [registration.submitted_by.email]
    assert "Proof is unreadable" in mailoutbox[0].body
    assert not get_user_model().objects.filter(email=registration.contact_email).exists()


# --- possible duplicates -----------------------------------------------------------------------


def registration_for(customer, licence="", number=None):
    contract = ContractFactory(
        customer=customer,
        licence_number=licence,
        status=ContractStatus.PENDING,
        **({"number": number} if number else {}),
    )
    return RegistrationFactory(contract=contract, partner=PartnerFactory())


def test_same_licence_number_is_a_possible_duplicate():
    other = ContractFactory(licence_number="LIC-42")
    registration = registration_for(CustomerFactory(), licence="lic-42")
    assert list(registration_duplicates(registration)) == [other]


def test_same_customer_name_in_any_case_is_a_possible_duplicate():
    other = ContractFactory(customer=CustomerFactory(name_en="Acme Ltd.", name_zh="艾克米"))
    registration = registration_for(CustomerFactory(name_en="ACME LTD.", name_zh=""))
    assert list(registration_duplicates(registration)) == [other]


def test_chinese_name_matches_across_languages():
    other = ContractFactory(customer=CustomerFactory(name_en="Acme", name_zh="艾克米有限公司"))
    registration = registration_for(CustomerFactory(name_en="艾克米有限公司", name_zh=""))
    assert list(registration_duplicates(registration)) == [other]


def test_an_unrelated_registration_has_no_duplicates():
    ContractFactory(customer=CustomerFactory(name_en="Acme", name_zh=""), licence_number="")
    registration = registration_for(CustomerFactory(name_en="Globex", name_zh=""))
    assert list(registration_duplicates(registration)) == []


def test_blank_licence_numbers_do_not_match_each_other():
    ContractFactory(licence_number="")
    registration = registration_for(CustomerFactory(), licence="")
    assert list(registration_duplicates(registration)) == []


def test_the_list_flag_agrees_with_the_selector():
    ContractFactory(licence_number="LIC-7")
    flagged = registration_for(CustomerFactory(), licence="LIC-7")
    clean = registration_for(CustomerFactory(), licence="LIC-8")
    flags = dict(
        with_duplicate_flag(PartnerRegistration.objects.all(), "contract__").values_list(
            "pk", "has_duplicates"
        )
    )
    assert flags == {flagged.pk: True, clean.pk: False}


def test_a_new_customer_with_a_known_name_is_created_and_flagged(submission):
    # Detection never merges or blocks: the manager judges.
    ContractFactory(customer=CustomerFactory(name_en="Initrode Inc.", name_zh=""))
    registration = registration_submit(**submission)
    assert Customer.objects.filter(name_en="Initrode Inc.").count() == 2
    assert registration_duplicates(registration).count() == 1
