"""The user's language middleware: a logged-in user's language is active for their request only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.middleware import UserLanguageMiddleware
from tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_users_language_is_active_during_the_request_and_not_after():
    seen = []

    def view(request):
        seen.append((translation.get_language(), request.LANGUAGE_CODE))
        return HttpResponse()

    with translation.override("zh-hans"):
        response = UserLanguageMiddleware(view)(_request(CustomerUserFactory(language="en")))
        assert translation.get_language() == "zh-hans"
    assert seen == [("en", "en")]
    assert response["Content-Language"] == "en"


def test_the_previous_language_comes_back_when_the_view_raises():
    def view(request):
        raise RuntimeError("boom")

    with translation.override("zh-hans"):
        with pytest.raises(RuntimeError):
            UserLanguageMiddleware(view)(_request(CustomerUserFactory(language="en")))
        assert translation.get_language() == "zh-hans"


def test_a_language_activated_inside_the_request_ends_with_it():
    # The API activates a token user's language in the view, the language switch the new one.
    def view(request):
        translation.activate("en")
        return HttpResponse()

    with translation.override("zh-hans"):
        response = UserLanguageMiddleware(view)(_request(AnonymousUser()))
        assert translation.get_language() == "zh-hans"
    assert response["Content-Language"] == "en"


def test_a_page_for_an_english_user_leaves_the_default_language_behind(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(CustomerUserFactory(language="en"))
    response = client.get(reverse("portal:dashboard"))
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"
    assert translation.get_language() == "zh-hans"
