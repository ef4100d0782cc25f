"""The back office as a product: branded in the user's language, a favicon, the outbox and the
registration queue readable by a support manager (ticket, subject, recipient, the event in words,
times in a named zone), help texts in a manager's words, confirmation pages that ask."""

import re
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagination import CappedPaginator
from tests.factories import ContactFactory, ContractFactory, ManagerFactory, RegistrationFactory
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.notifications import slots
from tickets.notifications.models import Notification
from tickets.sla.sweep import clocks_evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = ManagerFactory(is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(slots, "queue_task"):
        yield


@pytest.mark.parametrize(
    ("language", "header", "title"),
    [("en", "Support portal", "Support desk"), ("zh-hans", "支持门户", "支持台")],
)
def test_the_back_office_is_branded_with_the_product_name_in_the_users_language(
    client, manager, language, header, title
):
    manager.language = language
    manager.save(update_fields=["language"])

    page = client.get("/admin/").content.decode()

    assert f"</span> {header}</a>" in page
    assert re.search(rf"<title>[^<]*\| {title}</title>", page)
    assert "Django" not in page.split("<body")[1].split("<footer")[0]


def test_the_desk_index_works_out_its_app_list_once(client, manager):
    """The sidebar and the index share one app list (built once per request), its names plain
    text in the user's language, apps and models sorted by name as Django sorts them."""
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    with mock.patch.object(
        admin.site, "_build_app_dict", wraps=admin.site._build_app_dict
    ) as built:
        response = client.get("/admin/")

    assert built.call_count == 1
    app_list = response.context["app_list"]
    assert list(response.context["available_apps"]) == app_list
    names = [app["name"] for app in app_list]
    assert names == sorted(names, key=str.lower)
    assert all(type(name) is str for name in names)
    assert "工单" in names
    for app in app_list:
        models = [model["name"] for model in app["models"]]
        assert models == sorted(models)
        assert all(type(name) is str for name in models)


def test_favicon_ico_answers_with_the_icon_shipped_in_static(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    icon = finders.find("favicon.ico")
    with open(icon, "rb") as data:
        assert data.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_the_back_office_pages_name_their_icon(client, manager):
    page = client.get("/admin/").content.decode()

    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_an_outbox_row_links_the_ticket_and_names_the_breached_target(client, manager):
    ticket = TicketFactory(opened_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    ContactFactory(contract=ticket.contract)
    ClockFactory(ticket=ticket, metric="restore")
    clocks_evaluate(now=datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    alert = Notification.objects.filter(ticket=ticket, event="sla_breached").first()
    assert alert is not None

    page = client.get(
        reverse("admin:notifications_notification_changelist"), {"event__exact": "sla_breached"}
    ).content.decode()

    change = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert f'<a href="{change}">#{ticket.pk}</a>' in page
    assert f'<a href="{change}">{ticket.subject}</a>' in page
    assert "restore target breached" in page
    assert alert.recipient_label in page
    assert "(Asia/Shanghai)" in page


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("notifications_notification", "notifications_notification"),
        ("tickets_clock", "tickets_clock"),
    ],
)
def test_the_outbox_and_clock_lists_never_count_or_sort_the_whole_table(
    client, manager, monkeypatch, name, table
):
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for _ in range(3):
        ticket = TicketFactory(opened_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
        ContactFactory(contract=ticket.contract)
        ClockFactory(ticket=ticket)
    clocks_evaluate(now=datetime(2026, 11, 23, 6, 0, tzinfo=UTC))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:{name}_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].show_full_result_count is False
    assert response.context["cl"].result_count == 2  # counted up to the cap only
    # ... and the page says that there are more, not that there are two.
    assert '<span class="result-count-capped">More than 2 ' in response.content.decode()
    sql = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
    counts = [q for q in sql if "COUNT(" in q]
    assert counts and all("LIMIT 3" in q for q in counts)
    assert any(f'ORDER BY "{table}"."id" DESC' in q for q in sql)


def test_the_registration_queue_shows_times_in_the_contracts_named_zone(client, manager):
    RegistrationFactory(
        contract=ContractFactory(status="pending", timezone="Asia/Shanghai"),
        submitted_at=datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
    )

    page = client.get(reverse("admin:contracts_partnerregistration_changelist")).content.decode()

    assert "2026-11-20 10:30 (Asia/Shanghai) · 2026-11-20 02:30 UTC" in page


def test_the_approve_page_asks_before_anything_is_approved(client, manager):
    registration = RegistrationFactory()
    url = reverse("admin:contracts_partnerregistration_do", args=[registration.pk, "approve"])

    response = client.get(url)

    number = registration.contract.number
    assert response.context["title"] == f"Approve registration {number}?"
    assert f"<title>Approve registration {number}? |" in response.content.decode()
    assert 'value="Approve"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_the_approve_page_asks_in_chinese(client, manager):
    registration = RegistrationFactory()
    url = reverse("admin:contracts_partnerregistration_do", args=[registration.pk, "approve"])

    manager.language = "zh-hans"
    manager.save(update_fields=["language"])

    response = client.get(url)

    assert response.context["title"] == f"批准登记 {registration.contract.number}？"


DEVELOPER_SPEAK = re.compile(
    r"\b(False|True|None|null|NULL|boolean|flag|library|ISO|instead of computed|the system)\b"
)


def test_help_texts_speak_to_a_support_manager():
    texts = {
        f"{model._meta.label}.{field.name}": str(field.help_text)
        for model in apps.get_models()
        if model._meta.app_label in {"tickets", "contracts", "sla", "notifications", "accounts"}
        for field in model._meta.get_fields()
        if getattr(field, "help_text", "")
    }

    assert texts  # the check reads something
    assert {name: text for name, text in texts.items() if DEVELOPER_SPEAK.search(text)} == {}
