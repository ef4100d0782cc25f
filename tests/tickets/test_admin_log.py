"""Support staff log a ticket on behalf of a customer from the desk: the form calls ticket_open
with `logged_by`, the services' refusals (entitlement, channel, on-duty contact) become form
errors, and only staff who may add tickets reach the page."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from contracts.models import ContractStatus
from contracts.services import entitlement_check
from sla.models import Metric
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerUserFactory,
    RolelessStaffFactory,
    StaffFactory,
    VersionFactory,
)
from tickets.models import Clock, EventField, SlaState, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 11:00 in Shanghai
LOG_URL = "admin:tickets_ticket_log"
CONTACTS_URL = "admin:tickets_ticket_log_contacts"


@pytest.fixture
def desk(client, manager):
    client.force_login(manager)
    return client


def form_data(contract, reporter, version, **overrides) -> dict:
    data = {
        "contract": contract.pk,
        "reporter": reporter.pk,
        "channel": "wechat",
        "on_duty_name": "",
        "on_duty_phone": "",
        "product": version.product_id,
        "version": version.pk,
        "priority": "P1",
        "subject": "Broker refuses connections",
        "description": "The customer called: every client gets connection refused.",
        "environment": "3 nodes on Kubernetes",
        "unmodified_build": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def log(client, data):
    with freeze_time(NOW):
        return client.post(reverse(LOG_URL), data)


def errors_of(response) -> dict:
    assert response.status_code == 200, response
    return response.context["form"].errors


# --- reaching the page ------------------------------------------------------------------------


def test_the_ticket_list_has_a_log_a_ticket_button(desk):
    html = desk.get(reverse("admin:tickets_ticket_changelist")).content.decode()

    assert f'href="{reverse(LOG_URL)}"' in html
    assert "Log a ticket" in html


def test_log_page_queries_do_not_grow_with_the_data(desk, django_assert_num_queries):
    desk.get(reverse(LOG_URL))  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert desk.get(reverse(LOG_URL)).status_code == 200
    for _ in range(5):
        ContactFactory(contract=ContractFactory(products=[VersionFactory().product]))

    # session, user, the session's authenticator, products, versions: the contract and reporter
    # fields search on demand
    with django_assert_num_queries(5):
        response = desk.get(reverse(LOG_URL))

    assert response.status_code == 200
    assert len(few.captured_queries) == 5
    html = response.content.decode()
    assert 'name="contract"' in html and "admin/js/autocomplete.js" in html
    assert reverse(CONTACTS_URL) in html


@pytest.mark.parametrize("url", [LOG_URL, CONTACTS_URL])
def test_customers_and_anonymous_users_cannot_reach_it(client, contact, url):
    assert client.get(reverse(url)).status_code == 302  # to the admin's login page
    client.force_login(contact)
    response = client.get(reverse(url))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_a_role_cannot_log(client, contract, contact, version):
    staff = RolelessStaffFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_ticket", "view_ticket"])
    )
    client.force_login(staff)

    # Permissions outside a role count for nothing: the desk sends them to its login page.
    assert client.get(reverse(LOG_URL)).status_code == 302
    assert client.get(reverse(CONTACTS_URL)).status_code == 302
    assert log(client, form_data(contract, contact, version)).status_code == 302
    assert not Ticket.objects.exists()


def test_an_engineer_logs(client, contract, contact, version):
    engineer = StaffFactory()
    client.force_login(engineer)

    response = log(client, form_data(contract, contact, version))

    assert response.status_code == 302
    assert Ticket.objects.get().logged_by == engineer


# --- logging ----------------------------------------------------------------------------------


def test_staff_log_a_7x24_ticket_taken_by_phone(
    desk, manager, contract_7x24, version, django_assert_num_queries
):
    contact = ContactFactory(contract=contract_7x24).user
    data = form_data(
        contract_7x24,
        contact,
        version,
        channel="phone",
        on_duty_name="Li Lei",
        on_duty_phone="+86 138 0000 0001",
    )

    # session, user, the form's four lookups, the named-contact check; then ticket_open: the
    # entitlement (product covered and named contact, one query), targets, the ticket with its
    # SLA summary, clocks, history (and the savepoint around it), the SLA report's stale month;
    # the P1 page: who is paged (engineers on call, else the managers: one query), chat
    # webhooks, the outbox rows (+ the session's authenticator)
    with django_assert_num_queries(19):
        response = log(desk, data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert (ticket.reporter, ticket.logged_by, ticket.channel) == (contact, manager, "phone")
    assert (ticket.on_duty_name, ticket.on_duty_phone) == ("Li Lei", "+86 138 0000 0001")
    assert ticket.opened_at == NOW
    assert ticket.environment == "3 nodes on Kubernetes"
    response_clock = Clock.objects.get(ticket=ticket, metric=Metric.RESPONSE)
    assert response_clock.state == SlaState.RUNNING
    opened = TicketEvent.objects.get(ticket=ticket, field=EventField.OPENED)
    assert opened.actor == manager
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        f"Ticket #{ticket.pk} is logged for {contract_7x24.customer}; its SLA clocks run."
    ]


def test_a_5x8_ticket_cannot_be_logged_as_a_phone_call(desk, contract, contact, version):
    response = log(desk, form_data(contract, contact, version, channel="phone"))

    errors = errors_of(response)
    assert list(errors) == ["channel"]
    assert errors["channel"][0].startswith("A 5x8 contract is not served by phone")
    assert "WeChat" in errors["channel"][0]
    assert not Ticket.objects.exists()
    assert "Please correct the error below." in response.content.decode()


def test_a_pending_contract_is_refused_with_the_entitlement_reason(
    desk, contract, contact, version, manager
):
    contract.status = ContractStatus.PENDING
    contract.save(update_fields=["status"])
    with translation.override(manager.language):  # the desk shows it in the user's language
        answer = entitlement_check(
            user=manager, contract=contract, product=version.product, version=version, now=NOW
        )

    errors = errors_of(log(desk, form_data(contract, contact, version)))

    assert answer.code == "pending"
    assert errors == {"contract": [answer.reason]}
    assert not Ticket.objects.exists()


def test_a_version_past_end_of_support_is_refused_on_the_version(desk, contract, contact):
    old = VersionFactory(end_of_maintenance="2025-06-30", end_of_support="2026-06-30")
    contract.products.add(old.product)

    errors = errors_of(log(desk, form_data(contract, contact, old)))

    assert list(errors) == ["version"]
    assert "end of support" in errors["version"][0]


def test_a_product_the_contract_does_not_cover_is_refused_on_the_product(desk, contract, contact):
    other = VersionFactory()

    errors = errors_of(log(desk, form_data(contract, contact, other)))

    assert list(errors) == ["product"]
    assert contract.number in errors["product"][0]


def test_7x24_needs_the_on_duty_contact(desk, contract_7x24, version):
    contact = ContactFactory(contract=contract_7x24).user

    errors = errors_of(log(desk, form_data(contract_7x24, contact, version, channel="phone")))

    assert list(errors) == ["on_duty_name"]
    assert not Ticket.objects.exists()


def test_the_build_declaration_is_required(desk, contract, contact, version):
    errors = errors_of(log(desk, form_data(contract, contact, version, unmodified_build=None)))

    assert list(errors) == ["unmodified_build"]


def test_the_reporter_must_be_a_named_contact_of_the_contract(desk, contract, contact, version):
    elsewhere = ContactFactory(contract=ContractFactory(products=[version.product])).user

    errors = errors_of(log(desk, form_data(contract, elsewhere, version)))

    assert list(errors) == ["reporter"]
    assert contract.number in errors["reporter"][0]
    assert not Ticket.objects.exists()


def test_a_colleague_who_is_not_a_named_contact_cannot_be_the_reporter(
    desk, contract, colleague, version
):
    errors = errors_of(log(desk, form_data(contract, colleague, version)))

    assert list(errors) == ["reporter"]


def test_missing_fields_are_form_errors(desk):
    errors = errors_of(log(desk, {}))

    assert {"contract", "reporter", "channel", "product", "version", "subject"} <= set(errors)


# --- the reporter search ----------------------------------------------------------------------


def test_contact_search_finds_named_contacts_with_their_contract(
    desk, contract, contact, django_assert_num_queries
):
    other = ContactFactory(contract=ContractFactory())
    CustomerUserFactory(customer=contract.customer)  # not a named contact

    with django_assert_num_queries(5):  # session, user, authenticator, count, page
        body = desk.get(reverse(CONTACTS_URL), {"term": contract.number}).json()

    assert [r["id"] for r in body["results"]] == [str(contact.pk)]
    assert contract.number in body["results"][0]["text"]
    assert contact.email in body["results"][0]["text"]
    everyone = desk.get(reverse(CONTACTS_URL)).json()["results"]
    assert {r["id"] for r in everyone} == {str(contact.pk), str(other.user_id)}
    assert body["pagination"] == {"more": False}


def test_a_call_logged_for_a_user_who_is_not_a_named_contact_is_refused(contract, version):
    """The rule lives in the service, not only in the admin form: staff typing the call in do
    not lend their own entitlement to the reporter."""
    from core.errors import ServiceError
    from tests.factories import CustomerUserFactory, StaffFactory
    from tickets.services import ticket_open

    colleague = CustomerUserFactory(customer=contract.customer)  # not a named contact
    with pytest.raises(ServiceError) as refused:
        ticket_open(
            contract=contract, product=version.product, version=version, priority="P2",
            subject="Slow", description="Slow.", reporter=colleague, channel="email",
            unmodified_build=True, logged_by=StaffFactory(), now=NOW,
        )  # fmt: skip
    assert refused.value.code == "not_named_contact"
