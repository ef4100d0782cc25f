"""Every form of the portal, posted by the personas who can reach it, with random input: NUL
bytes, huge strings, any unicode, dates at the ends of the calendar. Whatever comes in, the
answer is a page or a redirect, never a 500 (issue 11: "no 500 from any input")."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import urls as portal_urls
from tickets.satisfaction import rating_token

pytestmark = pytest.mark.slow

EXTREME_DATES = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30",
    "2026-11-27T25:61",
]
text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=400),
    st.just("\x00"),
    st.text(max_size=10).map(lambda t: f"{t}\x00{t}"),
    st.just("x" * 300 + "@example.com"),
    st.just("a" * 20_000),
    st.sampled_from(EXTREME_DATES),
    st.just("9" * 40),
    st.just("-1"),
)

# Each form of portal.urls: the persona who reaches it, URL kwargs, and its field names.
FORMS = {
    "login": (None, None, ["username", "password"]),
    "password-reset": (None, None, ["email"]),
    "password-set": (
        None,
        lambda w: {"uidb64": "MQ", "token": "set-password"},
        ["new_password1", "new_password2"],
    ),
    "language": ("acme_user", None, ["language", "next"]),
    "two-factor": ("manager", None, ["code", "next"]),
    "api-tokens": ("acme_user", None, ["token_key"]),
    "ticket-create": (
        "acme_user",
        None,
        ["contract", "product", "version", "priority", "subject", "description", "environment",
         "on_duty_name", "on_duty_phone", "unmodified_build"],
    ),
    "ticket-reply": ("acme_user", lambda w: {"pk": w.acme_ticket.pk}, ["body"]),
    "ticket-follow-up": (
        "acme_user",
        lambda w: {"pk": w.acme_ticket.pk},
        ["subject", "description", "priority", "unmodified_build"],
    ),
    "notification-settings": ("acme_user", None, ["level"]),
    "ticket-resolve": ("acme_user", lambda w: {"pk": w.acme_ticket.pk}, ["note"]),
    "ticket-rate": ("acme_user", lambda w: {"pk": w.acme_ticket.pk}, ["score", "comment"]),
    "satisfaction-link": (
        None,
        lambda w: {"token": rating_token(ticket_id=w.acme_ticket.pk, user_id=w.acme_user.pk)},
        ["score", "comment"],
    ),
    "remote-session-request": (
        "acme_user",
        lambda w: {"pk": w.acme_ticket.pk},
        ["starts_at", "duration_minutes", "project_context"],
    ),
    "agreement-decline": (
        "acme_user",
        lambda w: {"pk": w.acme_ticket.pk, "agreement_pk": w.acme_agreement.pk},
        ["reason"],
    ),
    "contract-contacts": (
        "acme_user",
        lambda w: {"pk": w.acme_contract.pk},
        ["email", "first_name", "last_name", "phone", "qq", "wechat", "skype"],
    ),
    "contact-replace": (
        "acme_user",
        lambda w: {"pk": w.acme_contract.pk, "contact_pk": w.acme_contract.contacts.get().pk},
        ["email", "first_name", "last_name", "phone"],
    ),
    "registration-create": (
        "partner_user",
        None,
        ["customer", "customer_name_en", "customer_name_zh", "country", "products", "tier",
         "licence_type", "contract_number", "licence_number", "starts_on", "ends_on", "timezone",
         "calendar", "contact_name", "contact_email", "contact_phone"],
    ),
    "ticket-list": ("acme_user", None, ["search", "status", "priority", "ordering", "page"]),
    "partner-ticket-list": ("partner_user", None, ["search", "contract", "sla_state", "page"]),
}  # fmt: skip
GET_FORMS = {"ticket-list", "partner-ticket-list"}


def test_every_form_of_the_portal_is_fuzzed():
    """A new portal view that takes input needs a line in FORMS (or a reason to be absent)."""
    no_input = {
        "dashboard", "logout", "password-reset-sent", "ticket-detail", "agreement-accept",
        "attachment-download", "contract-list", "contact-remove", "partner-dashboard",
        "registration-list", "registration-detail", "registration-proof",
        "ticket-close",  # a confirmation button, no field
    }  # fmt: skip
    names = {p.name for p in portal_urls.urlpatterns}
    assert names - no_input == set(FORMS)


EXAMPLES = {"examples": 0, "server_errors": 0}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_input_to_a_portal_form_gives_a_500(world, client, name):
    persona, kwargs, fields = FORMS[name]
    url = reverse(f"portal:{name}", kwargs=kwargs(world) if kwargs else None)
    if persona:
        client.force_login(
            getattr(world, persona), backend="django.contrib.auth.backends.ModelBackend"
        )
    client.raise_request_exception = False

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(st.fixed_dictionaries(dict.fromkeys(fields, text)))
    def post(data):
        EXAMPLES["examples"] += 1
        response = client.get(url, data) if name in GET_FORMS else client.post(url, data)
        if response.status_code >= 500:
            EXAMPLES["server_errors"] += 1
        assert response.status_code < 500, (name, data)

    post()
    print(f"fuzz {name}: {EXAMPLES}")
