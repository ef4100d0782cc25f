"""The findings of the security probe (issue 11) that the API answers, each reproduced: lock-out
by letter case and per client, the proxy header, tokens that expire and are revoked, staff
without a role, revoked partners, two-factor codes for staff, and input that once gave a 500."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from freezegun import freeze_time
from knox.models import AuthToken
from rest_framework.test import APIClient

from contracts.models import PartnerStatus
from tests.factories import PASSWORD, RolelessStaffFactory, current_totp_code
from tickets.models import Ticket, TicketStatus

TOKEN_URL = "/api/v1/auth/token/"


def _login(username, password=PASSWORD, client=None, **extra):
    client = client or APIClient()
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


# --- 1. lock-out by letter case, and per client -------------------------------------------------


def test_letter_case_does_not_reset_the_lockout(world, lockout):
    variants = ["alice@acme.example", "Alice@acme.example", "ALICE@ACME.EXAMPLE"]
    for variant in variants:
        _login(variant, "wrong", client=APIClient(REMOTE_ADDR=f"10.0.0.{len(variant)}"))
    response = _login(" Alice@Acme.Example ", client=APIClient(REMOTE_ADDR="10.9.9.9"))
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_one_password_tried_on_many_accounts_locks_the_client_out(world, lockout):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        _login(f"someone{n}@acme.example", "Spring2026!", client=client)
    # Even a right password from that client now waits.
    assert _login("alice@acme.example", client=client).status_code == 429
    # Another client is not affected.
    assert (
        _login("alice@acme.example", client=APIClient(REMOTE_ADDR="203.0.113.8")).status_code == 200
    )


def test_logging_in_to_ones_own_account_does_not_reset_the_clients_count(world, lockout):
    attacker = APIClient(REMOTE_ADDR="203.0.113.9")
    for target in ("a@acme.example", "b@acme.example"):
        _login(target, "guess", client=attacker)
    assert _login("alice@acme.example", client=attacker).status_code == 200
    _login("c@acme.example", "guess", client=attacker)
    assert _login("d@acme.example", "guess", client=attacker).status_code == 429


# --- 2. X-Forwarded-For is no identity ----------------------------------------------------------


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(world):
    allowed = 10  # API_TOKEN_THROTTLE's default, 10/min
    cache.clear()
    statuses = [
        _login(
            "x@y.example",
            "p",
            client=APIClient(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}"),
        ).status_code
        for n in range(allowed + 1)
    ]
    assert statuses == [400] * allowed + [429]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_lockouts_are_per_client_not_per_proxy(world, lockout, settings):
    proxy = "10.0.0.1"
    guesser = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    for n in range(3):
        _login(f"nobody{n}@acme.example", "guess", client=guesser)
    assert _login("x@acme.example", client=guesser).status_code == 429
    colleague = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert _login("alice@acme.example", client=colleague).status_code == 200


# --- 3. tokens ----------------------------------------------------------------------------------


def test_each_login_makes_a_new_token_that_expires(world, settings):
    first = _login("alice@acme.example").json()
    second = _login("alice@acme.example").json()
    assert first["token"] != second["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert client.get("/api/v1/contracts/").status_code == 200
    with freeze_time(AuthToken.objects.get(token_key=first["token_key"]).expiry + timedelta(1)):
        assert client.get("/api/v1/contracts/").status_code == 401


def _token_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_password_change_revokes_every_token(world):
    client = _token_client(_login("alice@acme.example").json()["token"])
    user = world.users["acme"]
    user.set_password("A-new-pass-2027")
    user.save()
    assert client.get("/api/v1/contracts/").status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


def test_deactivation_revokes_every_token(world):
    user = world.users["acme"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=user).exists()
    assert world.client("acme").get("/api/v1/contracts/").status_code == 401


def test_owner_lists_and_revokes_their_tokens(world):
    made = _login("alice@acme.example").json()
    client = _token_client(made["token"])
    listed = client.get("/api/v1/auth/tokens/").json()
    assert made["token_key"] in [t["token_key"] for t in listed]
    assert all("token" not in t for t in listed)
    assert client.delete(f"/api/v1/auth/tokens/{made['token_key']}/").status_code == 204
    assert client.get("/api/v1/auth/tokens/").status_code == 401


def test_another_users_token_cannot_be_revoked(world):
    other = AuthToken.objects.filter(user=world.users["globex"]).first()
    response = world.client("acme").delete(f"/api/v1/auth/tokens/{other.token_key}/")
    assert response.status_code == 404
    assert AuthToken.objects.filter(pk=other.pk).exists()


# --- two-factor codes for staff -----------------------------------------------------------------


def test_staff_get_a_token_only_with_their_code(world):
    manager = world.users["manager"]
    refused = _login(manager.email)
    assert refused.status_code == 400
    assert refused.json()["code"] == "otp_required"
    assert _login(manager.email, otp_token=current_totp_code(manager)).status_code == 200
    assert _login(manager.email, otp_token="000000").json()["code"] == "otp_invalid"


def test_engineers_need_no_code_when_the_setting_says_so(world, settings):
    settings.OTP_REQUIRED_FOR_ENGINEERS = False
    assert _login(world.users["engineer"].email).status_code == 200


def test_staff_without_an_authenticator_are_told_to_set_one_up(world):
    engineer = world.users["engineer"]
    engineer.totpdevice_set.all().delete()
    response = _login(engineer.email, otp_token="123456")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_setup_required"


def test_a_session_without_the_second_factor_reaches_no_staff_api(world):
    client = APIClient()
    client.login(username=world.users["manager"].email, password=PASSWORD)
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"


# --- 5. staff without a role --------------------------------------------------------------------


def test_staff_without_a_role_see_no_ticket_and_change_nothing(world, frozen):
    client = world.client("roleless")
    assert client.get("/api/v1/tickets/").json()["results"] == []
    assert client.get("/api/v1/contracts/").json()["results"] == []
    ticket = world.acme_ticket
    for action, data in [("respond", {"body": "x"}), ("resolve", {}), ("restore", {})]:
        assert (
            client.post(f"/api/v1/tickets/{ticket.pk}/{action}/", data, format="json").status_code
            == 403
        )
    note = client.get(f"/api/v1/tickets/{ticket.pk}/messages/")
    assert note.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status != TicketStatus.RESOLVED


def test_a_staff_user_gets_a_role_and_then_works(world, frozen):
    from django.contrib.auth.models import Group

    from core.roles import ENGINEER

    user = RolelessStaffFactory()
    token = AuthToken.objects.create(user=user)[1]
    assert _token_client(token).get("/api/v1/tickets/").json()["results"] == []
    user.groups.add(Group.objects.get(name=ENGINEER))
    assert len(_token_client(token).get("/api/v1/tickets/").json()["results"]) == 4


# --- 4. revoked partners ------------------------------------------------------------------------


@pytest.mark.parametrize("change", ["revoked", "lapsed", "term_over"])
def test_a_partner_that_lost_its_authorisation_reads_nothing_of_its_customers(
    world, frozen, change
):
    partner = world.partner
    if change == "term_over":
        partner.authorised_until = world.today - timedelta(days=1)
    else:
        partner.status = PartnerStatus.REVOKED if change == "revoked" else PartnerStatus.LAPSED
    partner.save()
    client = world.client("partner")
    assert client.get("/api/v1/tickets/").json()["results"] == []
    assert client.get("/api/v1/contracts/").json()["results"] == []
    assert client.get(f"/api/v1/tickets/{world.initech_ticket.pk}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{world.initech_ticket.pk}/messages/").status_code == 404
    assert client.get("/api/v1/partner/subscriptions/").json()["results"] == []
    # The vendor still reads the registration.
    staff = world.client("engineer").get("/api/v1/contracts/INI-1/")
    assert staff.status_code == 200


def test_an_authorised_partner_still_reads_them(world, frozen):
    client = world.client("partner")
    assert client.get(f"/api/v1/tickets/{world.initech_ticket.pk}/").status_code == 200


# --- 6. input that gave a 500 -------------------------------------------------------------------


@pytest.mark.parametrize("url", [TOKEN_URL, "/api/v1/tickets/"])
def test_deeply_nested_json_is_a_400(world, url):
    body = "[" * 100_000 + "]" * 100_000
    client = world.client("acme") if url != TOKEN_URL else APIClient()
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_json_body_over_the_limit_is_a_413_in_the_api_shape(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"username": "' + "a" * 2000 + '", "password": "x"}'
    response = APIClient().post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"


def test_a_form_body_over_the_limit_is_a_413_in_the_api_shape(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = world.client("acme").post(
        f"/api/v1/tickets/{world.acme_ticket.pk}/messages/", {"body": "x" * 5000}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contracts/ACME%00-1/",
        "/api/v1/tickets/?search=a%00b",
        "/api/v1/tickets/?contract=%00",
    ],
)
def test_a_nul_byte_in_the_url_is_a_400(world, url):
    response = world.client("acme").get(url)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"


def test_an_email_longer_than_the_column_is_a_400(world, frozen):
    email = "a" * 250 + "@acme.example"
    response = world.client("acme").post(
        "/api/v1/contracts/ACME-1/contacts/", {"email": email}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "email"


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_years_at_the_ends_of_the_calendar_are_a_400(world, frozen, year):
    preview = world.client("acme").get(
        "/api/v1/sla/preview/",
        {
            "tier": "5x8",
            "priority": "P1",
            "opened_at": f"{year}-01-01T10:00",
            "timezone": "Asia/Shanghai",
        },
    )
    assert preview.status_code == 400
    assert preview.json()["code"] == "out_of_range"
    session = world.client("acme").post(
        f"/api/v1/tickets/{world.acme_ticket.pk}/remote-sessions/",
        {"starts_at": f"{year}-12-31T10:00:00+08:00", "project_context": "3 nodes"},
        format="json",
    )
    assert session.status_code == 400, session.content
    proposal = world.client("engineer").post(
        f"/api/v1/tickets/{world.acme_answered.pk}/propose-agreement/",
        {"due_at": f"{year}-12-31T10:00:00+08:00", "reason": "x"},
        format="json",
    )
    assert proposal.status_code == 400, proposal.content


def test_an_attachment_name_over_255_bytes_is_kept_shortened(world, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name = "日志" * 100 + ".log"  # 600 bytes in UTF-8
    response = world.client("acme").post(
        f"/api/v1/tickets/{world.acme_ticket.pk}/attachments/",
        {"file": SimpleUploadedFile(name, b"2026-11-25 ERROR\n")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    shown = response.json()["name"]
    assert shown.endswith(".log") and len(shown) <= 150


# --- cache trouble ------------------------------------------------------------------------------


class BrokenCache:
    """A cache backend whose server is down: every call raises, as redis-py's would."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_the_token_endpoint_works_while_the_cache_is_down(world, lockout, monkeypatch):
    from rest_framework import throttling

    monkeypatch.setattr(throttling.SimpleRateThrottle, "cache", BrokenCache())
    assert _login("alice@acme.example").status_code == 200
    # Lock-outs, kept in the database, still hold.
    for _ in range(3):
        _login("alice@acme.example", "wrong")
    assert _login("alice@acme.example").status_code == 429
