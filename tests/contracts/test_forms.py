"""PartnerRegistrationForm: content sniffing and size of the proof, the partner's customers,
and that its cleaned data is what registration_submit takes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.forms import PartnerRegistrationForm, SupportContactForm
from contracts.services import registration_submit
from core.errors import ServiceError
from tests.contracts.conftest import JPEG, PDF, PNG
from tests.factories import ContractFactory, calendar, tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(product):
    return {
        "customer_name_en": "Initrode Inc.",
        "country": "CN",
        "products": [product.pk],
        "tier": tier("5x8").pk,
        "licence_type": "subscription",
        "contract_number": "F-0001",
        "licence_number": "LIC-F1",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "timezone": "Asia/Shanghai",
        "calendar": calendar("CN").pk,
        "contact_name": "Ivy Wang",
        "contact_email": "ivy@initrode.test",
    }


def form(user, data, content=PDF, name="order.pdf", content_type="application/pdf"):
    files = {"proof": SimpleUploadedFile(name, content, content_type=content_type)}
    return PartnerRegistrationForm(data, files, user=user)


@pytest.mark.parametrize(
    ("content", "name"), [(PDF, "order.pdf"), (PNG, "scan.png"), (JPEG, "photo.jpeg")]
)
def test_pdf_png_and_jpeg_proofs_are_accepted(partner_user, data, content, name):
    assert form(partner_user, data, content, name).is_valid()


def test_a_file_renamed_to_pdf_is_refused_by_its_content(partner_user, data):
    bound = form(partner_user, data, b"<html><script>alert(1)</script>", "order.pdf")
    assert not bound.is_valid()
    assert "proof" in bound.errors


def test_a_proof_over_the_limit_is_refused(partner_user, data, settings):
    settings.PROOF_MAX_BYTES = 20
    bound = form(partner_user, data, PDF + b"x" * 100)
    assert not bound.is_valid()
    assert "proof" in bound.errors


def test_an_empty_proof_is_refused(partner_user, data):
    assert not form(partner_user, data, b"").is_valid()


def test_customer_choices_are_the_partners_own_customers(partner_user, partner, data):
    mine = ContractFactory(sold_by=partner).customer
    ContractFactory()  # someone else's customer
    bound = form(partner_user, data)
    assert list(bound.fields["customer"].queryset) == [mine]


def test_an_existing_customer_and_a_new_name_together_are_refused(partner_user, partner, data):
    mine = ContractFactory(sold_by=partner).customer
    bound = form(partner_user, {**data, "customer": mine.pk})
    assert not bound.is_valid()
    assert "customer_name_en" in bound.errors


def test_a_term_ending_before_it_starts_is_refused(partner_user, data):
    bound = form(partner_user, {**data, "ends_on": "2025-12-31"})
    assert "ends_on" in bound.errors


def test_cleaned_data_feeds_the_service(partner_user, data, now):
    bound = form(partner_user, data)
    assert bound.is_valid(), bound.errors
    registration = registration_submit(user=partner_user, now=now, **bound.cleaned_data)
    assert registration.contract.number == "F-0001"


def test_service_errors_land_on_their_field(partner_user, data, now):
    ContractFactory(number="F-0001")
    bound = form(partner_user, data)
    assert bound.is_valid()
    with pytest.raises(ServiceError) as caught:
        registration_submit(user=partner_user, now=now, **bound.cleaned_data)
    assert caught.value.code == "number_taken"
    bound.add_service_error(caught.value)
    assert "contract_number" in bound.errors


def test_contact_form_keys_are_contact_add_arguments():
    bound = SupportContactForm({"email": "a@b.test", "qq": "1"})
    assert bound.is_valid()
    assert set(bound.cleaned_data) == {
        "email",
        "first_name",
        "last_name",
        "phone",
        "qq",
        "wechat",
        "skype",
    }
