"""History entries the system writes (the sweep, services) are shown in the reader's language,
whatever language was active when they were written; old rows stored as text are migrated."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from sla.models import target_text
from tests.i18n.test_every_page import NOW, seed
from tests.portal.conftest import MODEL_BACKEND, OPENED, build_world
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def _page(client, user, language, url):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user, backend=MODEL_BACKEND)
    return client.get(url).content.decode()


def test_system_reasons_are_stored_as_codes_written_in_any_language():
    with translation.override("zh-hans"), freeze_time(NOW):
        world = seed()
    codes = set(TicketEvent.objects.exclude(reason_code="").values_list("reason_code", flat=True))
    assert {"customer_replied", "restore_breached", "response_breached"} <= codes
    stored = TicketEvent.objects.filter(reason_code="customer_replied").first()
    assert stored.reason == "The customer replied."  # English, for search
    assert world.acme_ticket.events.filter(reason_code="").exclude(reason="").exists()


def test_the_sweeps_and_the_services_reasons_follow_the_reader(client):
    with translation.override("zh-hans"), freeze_time(NOW):
        world = seed()
        url = reverse("portal:ticket-detail", args=[world.acme_ticket.pk])
        english = _page(client, world.acme_user, "en", url)
        chinese = _page(client, world.acme_user, "zh-hans", url)
    assert "The customer replied." in english
    assert "restore target breached" in english
    assert "客户已回复。" not in english and "目标已超时" not in english
    assert "客户已回复。" in chinese
    assert "恢复目标已超时" in chinese
    assert "The customer replied." not in chinese


def test_the_desk_shows_the_reason_in_the_engineers_language(client):
    with translation.override("zh-hans"), freeze_time(NOW):
        world = seed()
        url = reverse("admin:tickets_ticket_change", args=[world.acme_ticket.pk])
        english = _page(client, world.engineer, "en", url)
    assert "The customer replied." in english
    assert "客户已回复。" not in english


def test_old_rows_written_as_text_get_their_code():
    migration = importlib.import_module("tickets.migrations.0008_history_reason_codes")
    world = build_world()
    ticket = world.acme_ticket
    texts = {
        "客户已回复。": "customer_replied",
        "响应目标已超时": "response_breached",
        "fix target at risk": "fix_at_risk",
        "无修复目标：EMQX Enterprise 4.4 已终止维护（2025-06-30）。": "no_fix_target",
        "Customer asked to wait.": "",
    }
    rows = {
        text: TicketEvent.objects.create(
            ticket=ticket,
            at=OPENED + timedelta(hours=i),
            field="opened" if "无修复" in text else "status",
            reason=text,
        )
        for i, text in enumerate(texts)
    }
    migration.codes_for_old_reasons(apps, None)
    for text, code in texts.items():
        row = TicketEvent.objects.get(pk=rows[text].pk)
        assert row.reason_code == code
    no_fix = TicketEvent.objects.get(reason_code="no_fix_target", reason_params__isnull=False)
    with translation.override("en"):
        assert no_fix.reason_text == (
            "No fix target: EMQX Enterprise 4.4 is past its end of maintenance (2025-06-30)."
        )
        assert TicketEvent.objects.get(pk=rows["响应目标已超时"].pk).reason_text == (
            "response target breached"
        )
    assert TicketEvent.objects.get(pk=rows["Customer asked to wait."].pk).reason_text == (
        "Customer asked to wait."
    )


def test_targets_say_one_hour_and_many_hours():
    with translation.override("en"):
        assert target_text(1, "hours") == "1 hour"
        assert target_text(4, "hours") == "4 hours"
        assert target_text(1, "days") == "1 day"
        assert target_text(50, "days") == "50 days"
    with translation.override("zh-hans"):
        assert target_text(1, "hours") == "1 小时"
        assert target_text(50, "days") == "50 天"
