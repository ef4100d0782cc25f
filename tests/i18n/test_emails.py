"""Every e-mail speaks its recipient's language: each notification of the outbox (ticket events,
SLA alerts, chat texts) and each contracts e-mail, rendered for a Chinese and for an English
recipient, holds no text of the other language and no "1 days"-style plural."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from freezegun import freeze_time

from contracts.emails import render_email
from tests.i18n.chrome import language_problems
from tests.i18n.pages import user_data_values
from tests.i18n.test_every_page import NOW, seed
from tests.portal.conftest import build_world
from tickets.models import Clock
from tickets.notifications.models import Notification
from tickets.notifications.render import chat_text, email_for
from tickets.services.lifecycle import ticket_resolve
from tickets.services.messages import message_post

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "zh-hans"]
CONTRACT_TEMPLATES = sorted(
    {
        p.name.removesuffix("_body.txt")
        for p in (Path(settings.BASE_DIR) / "templates/emails/contracts").glob("*_body.txt")
    }
)


def _outbox():
    with freeze_time(NOW):
        world = seed()
        ticket_resolve(ticket=world.acme_ticket, by=world.engineer, note="Fixed.", now=NOW)
        message_post(
            ticket=world.acme_ticket,
            author=world.acme_user,
            body="It broke again.",
            now=NOW + timedelta(minutes=5),
        )
    return world


def test_every_notification_speaks_its_readers_language():
    _outbox()
    rows = list(Notification.objects.select_related("ticket", "alert", "inbound"))
    assert {row.event for row in rows} >= {"opened", "staff_reply", "customer_reply"}
    assert any(row.alert_id for row in rows)
    data = user_data_values()
    problems = {}
    for row in rows:
        clocks = list(Clock.objects.filter(ticket_id=row.ticket_id)) if row.ticket_id else []
        for language in LANGUAGES:
            row.language = language
            mail = email_for(row, clocks)
            text = f"{mail.subject}\n{mail.body}"
            if row.ticket_id or row.alert_id:
                text += "\n" + chat_text(row, clocks)
            found = language_problems(text, language, data)
            if found:
                problems[f"{row.event} #{row.pk} ({'staff' if row.staff else 'customer'}, "
                         f"{language})"] = found  # fmt: skip
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("days", [1, 30])
def test_every_contracts_email_speaks_its_readers_language(language, days):
    world = build_world()
    contract = world.globex_contract
    registration = SimpleNamespace(
        contact_email="bob@globex.test",
        contact_name="Bob",
        customer_is_new=True,
        rejection_reason="The proof is unreadable.",
    )
    context = {
        "recipient": world.globex_user,
        "contract": contract,
        "customer": "Globex Corp.",
        "partner": world.partner,
        "registration": registration,
        "name": "Bob",
        "email": "bob@globex.test",
        "days": days,
        "days_left": days,
        "valid_days": days,
        "set_password_url": "https://support.example.com/password/set/x/y/",
        "portal_url": "https://support.example.com/",
        "admin_url": "https://support.example.com/admin/",
    }
    data = {*user_data_values(), registration.rejection_reason}
    problems = {}
    for template in CONTRACT_TEMPLATES:
        subject, body = render_email(template=template, language=language, context=context)
        found = language_problems(f"{subject}\n{body}", language, data)
        if found:
            problems[template] = found
    assert len(CONTRACT_TEMPLATES) >= 6
    assert not problems, problems
