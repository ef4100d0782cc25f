"""core.admin_list: the desk's lists draw exactly the rows Django's change list draws (the same
cells, classes, links with the list's filters, escaping), once per row instead of once per
cell, and leave out the sidebar of every model."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def add_rows(count: int, start: int = 0) -> None:
    engineer = StaffFactory(first_name="<b>Wang</b>", last_name="Wu")
    for i in range(start, start + count):
        ticket = TicketFactory(
            subject=f"{TRICKY} {i}",
            assignee=engineer if i % 2 == 0 else None,
            opened_at=NOW - timedelta(hours=3),
            next_due_at=NOW + timedelta(hours=i) if i % 3 else None,
            sla_state=["breached", "running", ""][i % 3],
        )
        ContactFactory(contract=ticket.contract, user__email=f"a{i}&b@example.com")
        ClockFactory(ticket=ticket, started_at=NOW - timedelta(hours=3))
    clocks_evaluate(now=NOW)


@pytest.fixture
def rows():
    """Tickets with text to escape, an engineer and none, clocks breached and running, and
    the alerts the sweep queued for them (sent, skipped, failed)."""
    add_rows(3)
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


@pytest.mark.parametrize("name", DESK_LISTS)
def test_desk_rows_are_djangos_in_chinese(client, manager, rows, name):
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])

    response = client.get(reverse(name))

    assert response["Content-Language"] == "zh-hans"
    assert our_rows(response) == django_rows(response)
    assert "<td" in our_rows(response)[0]


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


@pytest.mark.parametrize(("name", "most"), list(zip(DESK_LISTS, [8, 6, 6], strict=True)))
def test_the_rows_load_their_columns_and_nothing_per_row(
    client, manager, rows, name, most, django_assert_max_num_queries
):
    """Only the columns' fields are loaded (list_only), and never one of the others later,
    row by row."""
    url = reverse(name)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_rows(4, start=3)

    with django_assert_max_num_queries(most):
        response = client.get(url)

    assert response.status_code == 200
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    page = [q["sql"] for q in more if "LIMIT 3" not in q["sql"] and "tickets_ticket" in q["sql"]]
    assert page and not [sql for sql in page if '"description"' in sql or '"params"' in sql]


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


def test_the_site_context_is_djangos_with_the_model_list_built_when_read(rf, manager):
    """SupportAdminSite.each_context copies AdminSite's (same keys, same values) and builds
    the sidebar's list of models only when a template reads it."""
    request = rf.get("/admin/")
    request.user = manager
    ours = admin.site.each_context(request)
    django = admin.AdminSite.each_context(admin.site, request)

    assert set(ours) == set(django)
    assert list(ours["available_apps"]) == django["available_apps"]
    assert {k: v for k, v in ours.items() if k not in ("available_apps", "log_entries")} == {
        k: v for k, v in django.items() if k not in ("available_apps", "log_entries")
    }


def test_pages_with_the_sidebar_still_list_every_model(client, manager):
    html = client.get(reverse("admin:contracts_contract_changelist")).content.decode()

    assert 'id="nav-sidebar"' in html
    assert reverse("admin:tickets_ticket_changelist") in html


@pytest.mark.parametrize(
    ("name", "query"),
    [
        (DESK_LISTS[0], ""),
        (DESK_LISTS[0], "?sla=breached&priority__exact=P1&view=mine&o=2"),
        (DESK_LISTS[1], "?breached=yes"),
        (DESK_LISTS[2], "?delivery=unsent&staff__exact=1"),
    ],
)
def test_desk_filters_are_the_filters_django_draws(client, manager, rows, name, query):
    from django.contrib.admin.templatetags.admin_list import admin_list_filter

    from core.admin_list import list_filter_html

    response = client.get(reverse(name) + query)

    cl = response.context["cl"]
    html = response.content.decode()
    with translation.override(response["Content-Language"]):
        for spec in cl.filter_specs:
            ours = list_filter_html(cl, spec)
            assert ours == admin_list_filter(cl, spec)
            assert ours in html
