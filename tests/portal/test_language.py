"""The language switch: on every page, remembered per user (and in a cookie for everyone)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, CustomerUserFactory

pytestmark = pytest.mark.django_db


def _switch(client, language, next_url="/tickets/?status=new"):
    return client.post(reverse("portal:language"), {"language": language, "next": next_url})


def test_every_page_offers_the_switch(client):
    for url in (reverse("portal:login"), reverse("portal:password-reset")):
        html = client.get(url).content.decode()
        assert f'action="{reverse("portal:language")}"' in html
        assert 'value="zh-hans"' in html
        assert 'value="en"' in html
    client.force_login(CustomerUserFactory())
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert f'action="{reverse("portal:language")}"' in html


def test_anonymous_visitor_gets_a_cookie_and_goes_back(client):
    response = _switch(client, "en", "/login/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/login/").content.decode()


def test_switch_is_saved_on_the_user_and_sets_the_cookie(client):
    user = CustomerUserFactory(language="en")
    client.force_login(user)
    response = _switch(client, "zh-hans")
    assert response["Location"] == "/tickets/?status=new"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_the_saved_language_follows_the_user_to_another_browser(client):
    user = CustomerUserFactory(email="alice@acme.test", language="en")
    client.force_login(user)
    _switch(client, "zh-hans")
    client.post(reverse("portal:logout"))

    other_browser = Client()
    other_browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # this browser says English
    other_browser.post(
        reverse("portal:login"), {"username": "alice@acme.test", "password": PASSWORD}
    )
    html = other_browser.get(reverse("portal:dashboard")).content.decode()
    assert '<html lang="zh-hans">' in html


def test_back_and_forth_keeps_the_last_choice(client):
    user = CustomerUserFactory(language="zh-hans")
    client.force_login(user)
    _switch(client, "en")
    assert '<html lang="en">' in client.get(reverse("portal:dashboard")).content.decode()
    _switch(client, "zh-hans")
    assert '<html lang="zh-hans">' in client.get(reverse("portal:dashboard")).content.decode()
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_next_pointing_elsewhere_goes_to_the_dashboard(client):
    response = _switch(client, "en", "https://evil.example/phish")
    assert response["Location"] == reverse("portal:dashboard")


def test_an_unknown_language_changes_nothing(client):
    user = CustomerUserFactory(language="en")
    client.force_login(user)
    response = _switch(client, "fr")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert user.language == "en"


def test_switch_needs_a_post(client):
    assert client.get(reverse("portal:language")).status_code == 405
