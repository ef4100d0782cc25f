"""Contracts and their named contacts: see them, add or remove within the tier's cap."""

import pytest
from django.core import mail
from django.urls import reverse

from contracts.models import SupportContact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _contacts_url(contract):
    return reverse("portal:contract-contacts", args=[contract.pk])


def test_contract_list_shows_every_contract_of_the_organisation(world, login):
    html = login(world.acme_colleague).get(reverse("portal:contract-list")).content.decode()
    assert "ACME-5X8" in html
    assert "EMQX Enterprise" in html
    assert "subscription" in html
    assert _contacts_url(world.acme_contract) in html


def test_contacts_page_lists_named_contacts_and_the_cap(world, login):
    html = login(world.acme_user).get(_contacts_url(world.acme_contract)).content.decode()
    assert world.acme_user.email in html
    assert "1 of 1 used" in html
    assert "The 5x8 tier allows 1 named support contact." in html


def test_a_full_contract_says_why_nothing_can_be_added(world, login):
    client = login(world.acme_user)
    html = client.get(_contacts_url(world.acme_contract)).content.decode()
    assert "No free slot." in html
    assert "already has 1 named contact, the most its 5x8 tier allows" in html
    assert "Add a named contact" not in html
    response = client.post(_contacts_url(world.acme_contract), {"email": "new@acme.test"})
    assert "the most its 5x8 tier allows. Remove one first." in response.content.decode()
    assert world.acme_contract.contacts.count() == 1


def test_adding_a_contact_within_the_cap_invites_them(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.globex_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _contacts_url(world.globex_contract),
            {"email": "carol@globex.test", "first_name": "Carol", "phone": "+49 30 9"},
        )
    assert response["Location"] == _contacts_url(world.globex_contract)
    assert world.globex_contract.contacts.filter(user__email="carol@globex.test").exists()
    assert mail.outbox[-1].to == ["carol@globex.test"]
    html = client.get(_contacts_url(world.globex_contract)).content.decode()
    assert "Carol is now a named contact of GLOBEX-7X24." in html
    assert "2 of 2 used" in html


def test_removing_a_contact(world, login):
    colleague = ContactFactory(contract=world.globex_contract)
    response = login(world.globex_user).post(
        reverse("portal:contact-remove", args=[world.globex_contract.pk, colleague.pk]),
        follow=True,
    )
    assert "is no longer a named contact of GLOBEX-7X24" in response.content.decode()
    assert not SupportContact.objects.filter(pk=colleague.pk).exists()


def test_handing_the_only_slot_over(world, login):
    contact = world.acme_contract.contacts.get()
    response = login(world.acme_user).post(
        reverse("portal:contact-replace", args=[world.acme_contract.pk, contact.pk]),
        {"replace-email": world.acme_colleague.email},
        follow=True,
    )
    assert "replaces" in response.content.decode()
    assert list(world.acme_contract.contacts.values_list("user__email", flat=True)) == [
        world.acme_colleague.email
    ]


def test_someone_who_is_not_a_named_contact_cannot_change_the_list(world, login):
    client = login(world.acme_colleague)
    html = client.get(_contacts_url(world.acme_contract)).content.decode()
    assert "Only the named contacts of ACME-5X8 can change this list." in html
    assert "Remove</button>" not in html
    contact = world.acme_contract.contacts.get()
    response = client.post(
        reverse("portal:contact-remove", args=[world.acme_contract.pk, contact.pk]), follow=True
    )
    assert "Only support staff and the named contacts" in response.content.decode()
    assert world.acme_contract.contacts.count() == 1


def test_an_address_of_another_organisation_is_refused(world, login):
    response = login(world.globex_user).post(
        _contacts_url(world.globex_contract), {"email": world.acme_user.email}
    )
    assert "cannot be a named contact" in response.content.decode()
