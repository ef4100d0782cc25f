"""Token and session authentication, the token endpoint's throttle and django-axes lock-outs."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def test_token_is_issued_for_email_and_password(world):
    response = APIClient().post(
        TOKEN_URL, {"username": "Alice@Acme.example", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    token = AuthToken.objects.get(user=world.users["acme"], token_key=body["token_key"])
    assert body["token"].startswith(token.token_key)
    assert token.expiry is not None


def test_token_authenticates_later_requests(world):
    token = APIClient().post(
        TOKEN_URL, {"username": "alice@acme.example", "password": PASSWORD}, format="json"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = client.get("/api/v1/contracts/")
    assert response.status_code == 200
    assert [c["number"] for c in response.json()["results"]] == ["ACME-1"]


def test_session_of_the_portal_authenticates_too(world):
    client = APIClient()
    client.force_login(world.users["acme"])
    assert client.get("/api/v1/contracts/").status_code == 200


def test_wrong_password_is_400_with_a_message(world):
    response = APIClient().post(
        TOKEN_URL, {"username": "alice@acme.example", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["detail"]


def test_missing_password_is_400_naming_the_field(world):
    response = APIClient().post(TOKEN_URL, {"username": "alice@acme.example"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "password"
    assert body["errors"]["password"]


def test_anonymous_request_is_401_asking_for_a_token(world):
    response = APIClient().get("/api/v1/contracts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_unknown_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = client.get("/api/v1/contracts/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_token_creation_is_throttled(world):
    throttle = ScopedRateThrottle()
    allowed, _period = throttle.parse_rate(throttle.THROTTLE_RATES["token"])
    client = APIClient()
    statuses = [
        client.post(TOKEN_URL, {"username": "x@y.example", "password": "p"}, format="json")
        for _ in range(allowed + 1)
    ]
    assert [r.status_code for r in statuses] == [400] * allowed + [429]
    assert statuses[-1].json()["code"] == "throttled"
    assert "Retry-After" in statuses[-1]


def test_lockout_after_failed_attempts_is_json_429_not_an_html_page(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient()
    for _ in range(3):
        client.post(
            TOKEN_URL, {"username": "alice@acme.example", "password": "wrong"}, format="json"
        )
    # Even the right password is refused while locked out.
    response = client.post(
        TOKEN_URL, {"username": "alice@acme.example", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "locked_out"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_refusals_speak_the_users_language(world, language):
    user = world.users["acme"]
    user.language = language
    user.save(update_fields=["language"])
    response = world.client("acme").get("/api/v1/contracts/NOPE/")
    assert response.status_code == 404
    assert (response.json()["detail"] == "Not found.") == (language == "en")
