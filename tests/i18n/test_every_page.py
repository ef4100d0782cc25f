"""Every page speaks one language: for each persona and both languages, every portal and desk
page the persona can open (collected from the URLconf and the admin registry, see pages.py)
shows no text of the other language, no untranslated msgid and no "1 hours" plural, once the
user data is taken out (docs/spec.md "Languages")."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from freezegun import freeze_time

from tests.i18n.chrome import chrome_text, language_problems
from tests.i18n.pages import admin_urls, portal_urls, user_data_values
from tests.portal.conftest import MODEL_BACKEND, OPENED, build_world
from tickets.satisfaction import rating_token
from tickets.services.lifecycle import ticket_wait_for_customer
from tickets.services.messages import message_post
from tickets.sla.sweep import clocks_evaluate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Two days after the world's tickets were opened: Globex's P2 has breached its response target
# (7x24, no answer yet), so the sweep has written its history entries.
NOW = OPENED + timedelta(days=2)
PERSONAS = ["customer", "partner", "engineer", "manager"]
LANGUAGES = ["en", "zh-hans"]
# The fewest pages each persona must have opened: guards against a crawl that silently found
# nothing (a login that failed, a registry that moved).
MIN_PAGES = {"customer": 10, "partner": 8, "engineer": 40, "manager": 50}


def seed():
    world = build_world()
    # A wait for the customer ended by the customer's reply (a history entry written by the
    # service) and the sweep's breach entries.
    ticket_wait_for_customer(
        ticket=world.acme_ticket,
        by=world.engineer,
        reason="Send the broker logs.",
        now=OPENED + timedelta(hours=2),
    )
    message_post(
        ticket=world.acme_ticket,
        author=world.acme_user,
        body="Here are the logs.",
        now=OPENED + timedelta(hours=3),
    )
    clocks_evaluate(now=NOW)
    return world


def persona_user(world, persona):
    return {
        "customer": world.acme_user,
        "partner": world.partner_user,
        "engineer": world.engineer,
        "manager": world.manager,
    }[persona]


def urls_for(world, user) -> list[str]:
    ticket = world.acme_ticket
    contact = world.acme_contract.contacts.first()
    ids = {
        "*": {"pk": ticket.pk},
        "contract-contacts": {"pk": world.acme_contract.pk},
        "contact-remove": {"pk": world.acme_contract.pk, "contact_pk": contact.pk},
        "contact-replace": {"pk": world.acme_contract.pk, "contact_pk": contact.pk},
        "agreement-accept": {"pk": ticket.pk, "agreement_pk": world.acme_agreement.pk},
        "agreement-decline": {"pk": ticket.pk, "agreement_pk": world.acme_agreement.pk},
        "registration-detail": {"pk": world.registration.pk},
        "registration-proof": {"pk": world.registration.pk},
        "attachment-download": {"pk": world.acme_attachment.pk},
    }
    ids["password-set"] = {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    ids["satisfaction-link"] = {"token": rating_token(ticket_id=ticket.pk, user_id=user.pk)}
    if user == world.partner_user:
        ids["*"] = {"pk": world.globex_ticket.pk}
    urls = portal_urls(ids)
    if user.is_staff:
        urls += admin_urls(user)
    return urls


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_speaks_one_language(client, persona, language):
    with freeze_time(NOW):
        world = seed()
        user = persona_user(world, persona)
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user, backend=MODEL_BACKEND)
        data = user_data_values()
        opened, problems = [], {}
        for url in urls_for(world, user):
            response = client.get(url)
            content_type = response.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith("text/html"):
                continue
            opened.append(url)
            found = language_problems(chrome_text(response.content.decode()), language, data)
            if found:
                problems[url] = found
    assert len(opened) >= MIN_PAGES[persona], opened
    report = "\n".join(f"{url}:\n    " + "\n    ".join(found) for url, found in problems.items())
    assert not problems, f"{persona} in {language}, {len(problems)} pages:\n{report}"
