"""Every portal URL, walked as every persona: who gets the page (200), who is sent to log in
(302 to the login page), who is told it does not exist (404), and who is redirected elsewhere.

The table is built from portal.urls: a new URL without an entry here fails
test_every_portal_url_has_an_entry."""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from portal import urls as portal_urls

PERSONAS = ["acme", "globex", "partner", "outsider", "anonymous", "engineer", "manager", "roleless"]
STAFF = ("engineer", "manager", "roleless")
OK, NOT_FOUND, LOGIN, REDIRECT = 200, 404, "login", 302


@dataclass
class Case:
    expect: dict  # persona -> 200 / 404 / LOGIN / 302
    kwargs: object = None  # world -> URL kwargs
    method: str = "get"
    data: dict = field(default_factory=dict)


def everyone(code):
    return dict.fromkeys(PERSONAS, code)


def _staff_like_outsider(expect: dict) -> dict:
    """Staff of every role belong to no organisation: in the portal they get what the outsider
    gets (the support desk is the admin)."""
    return {**expect, **dict.fromkeys(STAFF, expect["outsider"])}


def customers_only(own=OK, other=NOT_FOUND):
    """A page of the customer area about an object of Acme."""
    return _staff_like_outsider({"acme": own, "globex": other, "partner": NOT_FOUND,
                                 "outsider": NOT_FOUND, "anonymous": LOGIN})  # fmt: skip


def any_customer(code=OK):
    """A customer-area page without an object: both customers get it."""
    return _staff_like_outsider({"acme": code, "globex": code, "partner": NOT_FOUND,
                                 "outsider": NOT_FOUND, "anonymous": LOGIN})  # fmt: skip


def partner_only(code=OK):
    return _staff_like_outsider({"acme": NOT_FOUND, "globex": NOT_FOUND, "partner": code,
                                 "outsider": NOT_FOUND, "anonymous": LOGIN})  # fmt: skip


def signed_in(code=OK):
    return {**everyone(code), "anonymous": LOGIN}


def acme_ticket(w):
    return {"pk": w.acme_ticket.pk}


URLS = {
    # Engineers and managers go on to the support desk; staff without a role have nowhere to go.
    "dashboard": Case(
        {
            **any_customer(),
            "partner": REDIRECT,
            "outsider": OK,
            "engineer": REDIRECT,
            "manager": REDIRECT,
            "roleless": OK,
        }
    ),
    "login": Case({**everyone(REDIRECT), "anonymous": OK}),
    "logout": Case(everyone(REDIRECT), method="post"),
    "password-reset": Case(everyone(OK)),
    "password-reset-sent": Case(everyone(OK)),
    "password-set": Case(everyone(OK), kwargs=lambda w: {"uidb64": "MQ", "token": "x-y"}),
    "language": Case(everyone(REDIRECT), method="post", data={"language": "en"}),
    "two-factor": Case(signed_in()),
    "api-tokens": Case(signed_in()),
    "ticket-list": Case(any_customer()),
    "ticket-create": Case(any_customer()),
    "ticket-detail": Case(customers_only(), kwargs=acme_ticket),
    # Empty forms: the owner sees the page again with the errors.
    "ticket-reply": Case(customers_only(), kwargs=acme_ticket, method="post"),
    "remote-session-request": Case(customers_only(), kwargs=acme_ticket, method="post"),
    "ticket-follow-up": Case(customers_only(), kwargs=acme_ticket, method="post"),
    # The acme ticket has its first response: its user resolves it; closing an open ticket and
    # rating it are refused with a message on the ticket page.
    "ticket-resolve": Case(customers_only(REDIRECT), kwargs=acme_ticket, method="post"),
    "ticket-close": Case(customers_only(REDIRECT), kwargs=acme_ticket, method="post"),
    "ticket-rate": Case(customers_only(REDIRECT), kwargs=acme_ticket, method="post"),
    # A link that is not a signed rating link is gone for everyone, logged in or not.
    "satisfaction-link": Case(everyone(410), kwargs=lambda w: {"token": "not-signed"}),
    "notification-settings": Case(any_customer()),
    "agreement-accept": Case(
        customers_only(REDIRECT),
        kwargs=lambda w: {"pk": w.acme_ticket.pk, "agreement_pk": w.acme_agreement.pk},
        method="post",
    ),
    "agreement-decline": Case(
        customers_only(REDIRECT),
        kwargs=lambda w: {"pk": w.acme_ticket.pk, "agreement_pk": w.acme_agreement.pk},
        method="post",
    ),
    "attachment-download": Case(customers_only(), kwargs=lambda w: {"pk": w.acme_attachment.pk}),
    "contract-list": Case(any_customer()),
    "contract-contacts": Case(customers_only(), kwargs=lambda w: {"pk": w.acme_contract.pk}),
    "contact-remove": Case(
        customers_only(REDIRECT),
        kwargs=lambda w: {
            "pk": w.acme_contract.pk,
            "contact_pk": w.acme_contract.contacts.get().pk,
        },
        method="post",
    ),
    "contact-replace": Case(
        customers_only(),
        kwargs=lambda w: {
            "pk": w.acme_contract.pk,
            "contact_pk": w.acme_contract.contacts.get().pk,
        },
        method="post",
    ),
    "partner-dashboard": Case(partner_only()),
    "partner-ticket-list": Case(partner_only()),
    "registration-list": Case(partner_only()),
    "registration-create": Case(partner_only()),
    "registration-detail": Case(partner_only(), kwargs=lambda w: {"pk": w.registration.pk}),
    "registration-proof": Case(partner_only(), kwargs=lambda w: {"pk": w.registration.pk}),
}


def portal_url_names() -> set[str]:
    return {p.name for p in portal_urls.urlpatterns}


def test_every_portal_url_has_an_entry():
    assert portal_url_names() == set(URLS), (
        "Add the new portal URLs to URLS (and drop removed ones): "
        f"missing {sorted(portal_url_names() - set(URLS))}, "
        f"stale {sorted(set(URLS) - portal_url_names())}"
    )


def _persona(world, name):
    return {
        "acme": world.acme_user,
        "globex": world.globex_user,
        "partner": world.partner_user,
        "outsider": world.outsider,
        "anonymous": None,
        "engineer": world.engineer,
        "manager": world.manager,
        "roleless": world.roleless,
    }[name]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(URLS))
def test_portal_url_answers_each_persona_as_expected(world, login, name, persona):
    case = URLS[name]
    client = login(_persona(world, persona))
    url = reverse(f"portal:{name}", kwargs=case.kwargs(world) if case.kwargs else None)
    response = getattr(client, case.method)(url, case.data)
    expected = case.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, (name, persona)
        assert response["Location"].startswith(reverse("portal:login")), (name, persona)
    else:
        assert response.status_code == expected, (name, persona, response.status_code)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("ticket-detail", lambda w: {"pk": w.globex_ticket.pk}),
        ("attachment-download", lambda w: {"pk": w.globex_attachment.pk}),
        ("contract-contacts", lambda w: {"pk": w.globex_contract.pk}),
    ],
)
def test_each_customer_reaches_their_own_objects_and_not_the_others(world, login, name, kwargs):
    url = reverse(f"portal:{name}", kwargs=kwargs(world))
    assert login(world.globex_user).get(url).status_code == 200
    assert login(world.acme_user).get(url).status_code == 404
    assert login(world.acme_colleague).get(url).status_code == 404
