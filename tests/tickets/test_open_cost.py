"""Opening a ticket: the entitlement is checked once per form post, and a contract's schedule,
built on the first ticket, covers the months its clocks need rather than two years."""

import pytest
from django.urls import reverse

import contracts.services.entitlement as entitlement_module
import portal.selectors
from contracts.schedule import contract_schedule, schedule_cache_clear
from tests.factories import ManagerFactory
from tickets.models import Ticket
from tickets.notifications.models import ChatWebhook, WebhookKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_checks(monkeypatch):
    calls = []
    real = entitlement_module.entitlement_check

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(entitlement_module, "entitlement_check", counting)
    monkeypatch.setattr(portal.selectors, "entitlement_check", counting)
    return calls


def post(client, contract, version, **extra):
    return client.post(
        reverse("portal:ticket-create"),
        {
            "contract": contract.pk,
            "version": version.pk,
            "priority": "P2",
            "subject": "Broker refuses connections",
            "description": "Since 09:40.",
            "unmodified_build": "on",
            **extra,
        },
    )


def test_a_form_post_checks_the_entitlement_once(
    client, contract, contact, version, counted_checks
):
    client.force_login(contact)

    response = post(client, contract, version)

    assert response.status_code == 302
    assert Ticket.objects.filter(contract=contract).count() == 1
    assert len(counted_checks) == 1


def test_a_refused_post_still_shows_each_contracts_answer(
    client, contract, contact, version, counted_checks
):
    client.force_login(contact)

    response = post(client, contract, version, unmodified_build="")

    assert response.status_code == 200
    assert not Ticket.objects.exists()
    assert "unmodified_build" in response.context["form"].errors
    assert response.context["choices"].open_contract_ids == [contract.pk]


def test_the_first_ticket_builds_the_calendar_it_needs_not_two_years(open_ticket, contract):
    schedule_cache_clear()

    open_ticket(priority="P2")

    # The farthest due time (the fix, 100 working days) is about five months away: the table
    # covers what the clocks need, not the two years (733 days) it always held before.
    days = len(contract_schedule(contract)._days)
    assert days < 366


def test_opening_a_paged_ticket_takes_a_fixed_number_of_queries(
    open_ticket, contract, engineer, django_assert_num_queries
):
    ManagerFactory.create_batch(3)  # nobody on call: the managers are paged
    ChatWebhook.objects.create(name="ops", kind=WebhookKind.SLACK, url="https://chat.test/x")
    open_ticket(priority="P2")  # the schedule and the roles' content types are cached

    # The savepoint and its release; the entitlement (product covered, named contact); the SLA
    # targets; the ticket with its SLA summary, its clocks, the history entry, the stale
    # month; who is paged (on call, else the managers, with their roles) and the chat
    # webhooks; the outbox rows. The drains are asked for after commit.
    with django_assert_num_queries(11):
        open_ticket(priority="P2")
