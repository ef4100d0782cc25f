"""Named support contacts: contact_add / contact_update / contact_remove / contact_replace and
the tier cap, and contract_change_tier."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from contracts.models import SupportContact
from contracts.services import (
    contact_add,
    contact_remove,
    contact_replace,
    contact_update,
    contract_change_tier,
)
from core.errors import ServiceError
from tests.factories import ContactFactory, CustomerUserFactory, StaffFactory, tier

pytestmark = pytest.mark.django_db


def add(contract, email, by, now, **extra):
    return contact_add(contract=contract, email=email, added_by=by, now=now, **extra)


def test_new_address_creates_a_user_of_the_customer(contract_5x8, manager, now):
    contact = add(contract_5x8, "New.Person@Customer.test", manager, now, first_name="Nia")
    user = contact.user
    assert user.email == "new.person@customer.test"
    assert user.customer == contract_5x8.customer
    assert user.first_name == "Nia"
    assert not user.has_usable_password()
    assert contact.added_by == manager
    assert contact.added_at == now


def test_new_user_gets_an_invitation_with_a_working_set_password_link(
    contract_5x8, manager, now, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://support.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        contact = add(contract_5x8, "invitee@customer.test", manager, now)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["invitee@customer.test"]
    match = re.search(r"https://support\.example\.com/password/set/([^/]+)/([^/]+)/", message.body)
    assert match, message.body
    uid, token = match.groups()
    assert force_str(urlsafe_base64_decode(uid)) == str(contact.user.pk)
    assert default_token_generator.check_token(contact.user, token)


def test_invitation_is_written_in_the_customers_language(
    contract_5x8, manager, now, mailoutbox, django_capture_on_commit_callbacks
):
    contract_5x8.customer.language = "en"
    contract_5x8.customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        contact = add(contract_5x8, "en@customer.test", manager, now)
    assert contact.user.language == "en"
    assert "named support contact" in mailoutbox[0].subject


def test_no_mail_is_sent_when_the_transaction_rolls_back(
    contract_5x8, manager, now, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add(contract_5x8, "later@customer.test", manager, now)
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_existing_user_of_the_customer_is_added_without_a_new_account(
    contract_5x8, manager, now, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = CustomerUserFactory(customer=contract_5x8.customer)
    with django_capture_on_commit_callbacks(execute=True):
        contact = add(contract_5x8, colleague.email.upper(), manager, now)
    assert contact.user == colleague
    assert "/password/set/" not in mailoutbox[0].body


def test_user_of_another_organisation_is_refused(contract_5x8, manager, now, other_customer):
    outsider = CustomerUserFactory(customer=other_customer)
    with pytest.raises(ServiceError) as caught:
        add(contract_5x8, outsider.email, manager, now)
    assert caught.value.code == "email_not_allowed"
    assert caught.value.field == "email"


def test_staff_account_cannot_become_a_named_contact(contract_7x24, manager, now):
    with pytest.raises(ServiceError) as caught:
        add(contract_7x24, StaffFactory().email, manager, now)
    assert caught.value.code == "email_not_allowed"


def test_same_person_twice_is_refused(contract_7x24, manager, now):
    add(contract_7x24, "twice@customer.test", manager, now)
    with pytest.raises(ServiceError) as caught:
        add(contract_7x24, "twice@customer.test", manager, now)
    assert caught.value.code == "already_contact"


def test_invalid_address_is_refused(contract_5x8, manager, now):
    with pytest.raises(ServiceError) as caught:
        add(contract_5x8, "not-an-address", manager, now)
    assert (caught.value.code, caught.value.field) == ("invalid_email", "email")


def test_5x8_allows_one_named_contact(contract_5x8, manager, now):
    add(contract_5x8, "first@customer.test", manager, now)
    with pytest.raises(ServiceError) as caught:
        add(contract_5x8, "second@customer.test", manager, now)
    assert caught.value.code == "contact_cap"
    assert contract_5x8.contacts.count() == 1
    assert not get_user_model().objects.filter(email="second@customer.test").exists()


def test_7x24_allows_two_named_contacts(contract_7x24, manager, now):
    add(contract_7x24, "one@customer.test", manager, now)
    add(contract_7x24, "two@customer.test", manager, now)
    with pytest.raises(ServiceError) as caught:
        add(contract_7x24, "three@customer.test", manager, now)
    assert caught.value.code == "contact_cap"
    assert contract_7x24.contacts.count() == 2


def test_a_named_contact_may_add_a_colleague(contract_7x24, manager, now):
    first = add(contract_7x24, "one@customer.test", manager, now)
    second = add(contract_7x24, "two@customer.test", first.user, now)
    assert second.added_by == first.user


def test_a_customer_user_who_is_not_a_named_contact_may_not_add(contract_7x24, now):
    colleague = CustomerUserFactory(customer=contract_7x24.customer)
    with pytest.raises(ServiceError) as caught:
        add(contract_7x24, "x@customer.test", colleague, now)
    assert caught.value.code == "forbidden"


def test_contact_details_are_stored(contract_7x24, manager, now):
    contact = add(
        contract_7x24,
        "im@customer.test",
        manager,
        now,
        phone="+1 555",
        qq="123",
        wechat="wx",
        skype="sk",
    )
    contact.refresh_from_db()
    assert (contact.phone, contact.qq, contact.wechat, contact.skype) == (
        "+1 555",
        "123",
        "wx",
        "sk",
    )


def test_adding_is_recorded_in_the_contract_history(contract_5x8, manager, now):
    add(contract_5x8, "logged@customer.test", manager, now)
    entry = LogEntry.objects.get(object_id=str(contract_5x8.pk))
    assert "logged@customer.test" in entry.change_message


def test_remove_frees_the_slot_and_keeps_the_user(contract_5x8, manager, now):
    contact = add(contract_5x8, "first@customer.test", manager, now)
    contact_remove(contact=contact, removed_by=manager, now=now)
    assert not SupportContact.objects.filter(pk=contact.pk).exists()
    assert get_user_model().objects.filter(email="first@customer.test").exists()
    add(contract_5x8, "second@customer.test", manager, now)


def test_outsider_may_not_remove_a_contact(contact, now):
    with pytest.raises(ServiceError) as caught:
        contact_remove(contact=contact, removed_by=CustomerUserFactory(), now=now)
    assert caught.value.code == "forbidden"


def test_update_changes_only_the_given_details(contact, manager, now):
    contact_update(contact=contact, by=manager, now=now, qq="999")
    contact.refresh_from_db()
    assert contact.qq == "999"
    assert contact.phone == "+86 138 0000 0000"


def test_replace_hands_over_the_only_5x8_slot(contact, now):
    new = contact_replace(
        contact=contact, email="successor@customer.test", by=contact.user, now=now
    )
    assert list(contact.contract.contacts.all()) == [new]


def test_replace_with_a_refused_address_keeps_the_old_contact(contact, now, other_customer):
    outsider = CustomerUserFactory(customer=other_customer)
    with pytest.raises(ServiceError) as caught:
        contact_replace(contact=contact, email=outsider.email, by=contact.user, now=now)
    assert caught.value.code == "email_not_allowed"
    assert contact.contract.contacts.get() == contact


def test_downgrade_to_5x8_with_two_contacts_names_them(contract_7x24, manager, now):
    bob = ContactFactory(contract=contract_7x24)
    carol = ContactFactory(contract=contract_7x24)
    with pytest.raises(ServiceError) as caught:
        contract_change_tier(contract=contract_7x24, tier=tier("5x8"), by=manager, now=now)
    assert caught.value.code == "contact_cap"
    assert bob.user.email in caught.value.message
    assert carol.user.email in caught.value.message
    contract_7x24.refresh_from_db()
    assert contract_7x24.tier.code == "7x24"


def test_downgrade_succeeds_once_a_contact_is_removed(contract_7x24, manager, now):
    ContactFactory(contract=contract_7x24)
    second = ContactFactory(contract=contract_7x24)
    contact_remove(contact=second, removed_by=manager, now=now)
    contract_change_tier(contract=contract_7x24, tier=tier("5x8"), by=manager, now=now)
    contract_7x24.refresh_from_db()
    assert contract_7x24.tier.code == "5x8"


def test_upgrade_makes_room_for_a_second_contact(contact, manager, now):
    contract_change_tier(contract=contact.contract, tier=tier("7x24"), by=manager, now=now)
    add(contact.contract, "second@customer.test", manager, now)
    assert contact.contract.contacts.count() == 2


def test_only_staff_change_the_tier(contact, now):
    with pytest.raises(ServiceError) as caught:
        contract_change_tier(contract=contact.contract, tier=tier("7x24"), by=contact.user, now=now)
    assert caught.value.code == "forbidden"
