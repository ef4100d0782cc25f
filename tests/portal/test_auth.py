"""Logging in with an e-mail address, logging out, password reset, invitation links and the
lock-out after repeated failures."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contracts.services import contact_add
from tests.factories import PASSWORD, ContactFactory, ContractFactory, CustomerUserFactory, tier

pytestmark = pytest.mark.django_db


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/password/set/\S+/)", body).group(1)


def test_login_page_asks_for_an_e_mail_address(client):
    response = client.get(reverse("portal:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html
    assert "E-mail address" in html
    assert reverse("portal:password-reset") in html


def test_login_with_e_mail_and_password_opens_the_dashboard(client):
    user = CustomerUserFactory(email="alice@acme.test")
    response = client.post(
        reverse("portal:login"), {"username": "Alice@Acme.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_a_wrong_password_says_so(client):
    CustomerUserFactory(email="alice@acme.test")
    response = client.post(
        reverse("portal:login"), {"username": "alice@acme.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "The e-mail address or the password is not correct." in response.content.decode()


def test_logout_needs_a_post(client):
    client.force_login(CustomerUserFactory())
    assert client.get(reverse("portal:logout")).status_code == 405
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in client.session


def test_every_page_of_a_logged_in_user_offers_to_log_out(client):
    client.force_login(CustomerUserFactory())
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert f'action="{reverse("portal:logout")}" method="post"' in html


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = CustomerUserFactory(email="alice@acme.test")
    response = client.post(reverse("portal:password-reset"), {"email": "alice@acme.test"})
    assert response["Location"] == reverse("portal:password-reset-sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@acme.test"]
    link = _link(mail.outbox[0].body)

    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sturdy-Pass-4711", "new_password2": "Sturdy-Pass-4711"},
        follow=True,
    )
    assert response.request["PATH_INFO"] == reverse("portal:login")
    assert "Your password is set." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Sturdy-Pass-4711")


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("portal:password-reset"), {"email": "nobody@x.test"})
    assert response["Location"] == reverse("portal:password-reset-sent")
    assert mail.outbox == []


def test_a_used_or_broken_link_says_it_expired(client):
    response = client.get(
        reverse("portal:password-set", kwargs={"uidb64": "MQ", "token": "bad-token"})
    )
    assert "This link has expired or was already used." in response.content.decode()


def test_invitation_link_lets_a_new_named_contact_set_a_password_and_log_in(
    client, django_capture_on_commit_callbacks
):
    contract = ContractFactory(tier=tier("7x24"))
    manager = ContactFactory(contract=contract).user
    with django_capture_on_commit_callbacks(execute=True):
        contact_add(
            contract=contract,
            email="new@customer.test",
            first_name="Nina",
            added_by=manager,
            now=timezone.now(),
        )
    link = _link(mail.outbox[-1].body)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sturdy-Pass-4711", "new_password2": "Sturdy-Pass-4711"},
    )
    response = client.post(
        reverse("portal:login"), {"username": "new@customer.test", "password": "Sturdy-Pass-4711"}
    )
    assert response["Location"] == reverse("portal:dashboard")


def test_repeated_failed_logins_are_locked_out_with_a_clear_message(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 0.25
    CustomerUserFactory(email="alice@acme.test")
    for _attempt in range(3):
        client.post(reverse("portal:login"), {"username": "alice@acme.test", "password": "x"})
    response = client.post(
        reverse("portal:login"), {"username": "alice@acme.test", "password": PASSWORD}
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert "locked after 3 failed logins in a row" in html
    assert "Try again in 15 minutes." in html
    assert reverse("portal:password-reset") in html
    assert "_auth_user_id" not in client.session


def test_a_lock_out_is_per_address_and_per_client(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    CustomerUserFactory(email="alice@acme.test")
    CustomerUserFactory(email="bob@acme.test")
    for _attempt in range(2):
        client.post(
            reverse("portal:login"),
            {"username": "alice@acme.test", "password": "x"},
            REMOTE_ADDR="203.0.113.1",
        )
    # Bob, from another address, is not affected.
    response = client.post(
        reverse("portal:login"),
        {"username": "bob@acme.test", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.2",
    )
    assert response.status_code == 302
    # Alice is locked out whatever the letter case and wherever she logs in from ...
    client.logout()
    response = client.post(
        reverse("portal:login"),
        {"username": "Alice@ACME.test", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.3",
    )
    assert response.status_code == 429
    # ... and so is the client that made the failures, whoever it tries.
    response = client.post(
        reverse("portal:login"),
        {"username": "bob@acme.test", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.1",
    )
    assert response.status_code == 429
