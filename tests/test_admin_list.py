"""core.admin_list: the desk's lists draw exactly the rows Django's change list draws (the same
cells, classes, links with the list's filters, escaping), once per row instead of once per
cell, and leave out the sidebar of every model."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from core.admin_list import DeskListMixin, result_rows
from tests.factories import ContactFactory, ManagerFactory, StaffFactory
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets.notifications import slots
from tickets.notifications.models import Notification
from tickets.sla.sweep import clocks_evaluate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TRICKY = """<script>alert("x")</script> & 'quotes' 连接超时"""
DESK_LISTS = [
    "admin:tickets_ticket_changelist",
    "admin:tickets_clock_changelist",
    "admin:notifications_notification_changelist",
]


@pytest.fixture
def manager(client):
    user = ManagerFactory(is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(slots, "queue_task"):
        yield


@pytest.fixture
def rows():
    """Tickets with text to escape, an engineer and none, clocks breached and running, and
    the alerts the sweep queued for them (sent, skipped, failed)."""
    engineer = StaffFactory(first_name="<b>Wang</b>", last_name="Wu")
    for i, assignee in enumerate([engineer, None, engineer]):
        ticket = TicketFactory(
            subject=f"{TRICKY} {i}",
            assignee=assignee,
            opened_at=NOW - timedelta(hours=3),
            next_due_at=NOW + timedelta(hours=i) if i else None,
            sla_state=["breached", "running", ""][i],
        )
        ContactFactory(contract=ticket.contract, user__email=f"a{i}&b@example.com")
        ClockFactory(ticket=ticket, started_at=NOW - timedelta(hours=3))
    clocks_evaluate(now=NOW)
    notifications = list(Notification.objects.order_by("pk"))
    assert len(notifications) >= 3
    Notification.objects.filter(pk=notifications[0].pk).update(sent_at=NOW, skipped="moot <x>")
    Notification.objects.filter(pk=notifications[1].pk).update(attempts=2, last_error="421 <&>")


def django_rows(response) -> list[str]:
    with translation.override(response["Content-Language"]):
        return ["".join(cells) for cells in results(response.context["cl"])]


def our_rows(response) -> list[str]:
    with translation.override(response["Content-Language"]):
        return ["".join(cells) for cells in result_rows(response.context["cl"])]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        (DESK_LISTS[0], ""),
        (DESK_LISTS[0], "?o=1"),
        (DESK_LISTS[0], "?o=-2.1&q=quotes"),
        (DESK_LISTS[0], "?sla=breached&o=3"),
        (DESK_LISTS[1], ""),
        (DESK_LISTS[1], "?o=-1.3&breached=yes"),
        (DESK_LISTS[1], "?q=quotes"),
        (DESK_LISTS[2], ""),
        (DESK_LISTS[2], "?delivery=unsent"),
        (DESK_LISTS[2], "?o=2&q=quotes"),
    ],
)
def test_desk_rows_are_the_rows_django_draws(client, manager, rows, name, query):
    response = client.get(reverse(name) + query)

    assert response.status_code == 200
    assert response.context["cl"].result_count
    assert our_rows(response) == django_rows(response)
    html = response.content.decode()
    for row in our_rows(response):
        assert f"<tr>{row}</tr>" in html


def test_the_rows_escape_what_they_show_and_link_with_the_lists_filters(client, manager, rows):
    html = client.get(reverse(DESK_LISTS[0]) + "?sla=breached").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in html
    assert "&lt;b&gt;Wang&lt;/b&gt; Wu" in html
    assert "/change/?_changelist_filters=sla%3Dbreached" in html


def test_every_list_of_the_site_draws_the_same_rows(client, manager, rows):
    """Any ModelAdmin may take the mixin: for each one of the site, the rows drawn here are
    Django's (columns not drawn here are left to Django's code)."""
    checked = 0
    for model, model_admin in admin.site._registry.items():
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(url)
        cl = response.context and response.context.get("cl")
        if response.status_code != 200 or not cl:
            continue
        assert our_rows(response) == django_rows(response), type(model_admin).__name__
        checked += 1
    assert checked > 10


@pytest.mark.parametrize("name", DESK_LISTS)
def test_the_desk_lists_leave_out_the_sidebar_of_every_model(client, manager, name):
    html = client.get(reverse(name)).content.decode()

    assert 'id="nav-sidebar"' not in html
    assert 'class="breadcrumbs"' in html
    assert isinstance(admin.site._registry[_model_of(name)], DeskListMixin)


def _model_of(name: str):
    from django.apps import apps

    app_label, model_name = name.removeprefix("admin:").removesuffix("_changelist").split("_")
    return apps.get_model(app_label, model_name)
