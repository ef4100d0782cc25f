"""Every portal page answers with a fixed number of queries, whatever the amount of data: each
page is measured on the small world, then again after adding tickets, messages, attachments
and history, and must cost the same (and no more than its pinned maximum)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ContactFactory
from tests.portal.conftest import OPENED, log_file, open_ticket
from tickets.services import agreement_propose, message_post, ticket_wait_for_customer

pytestmark = pytest.mark.django_db

# page -> (persona, URL kwargs, most queries allowed)
PAGES = {
    # + why "New ticket" would be refused (contracts, products, entitlement checks).
    "dashboard": ("acme_user", None, 16),
    "ticket-list": ("acme_user", None, 12),
    "ticket-create": ("acme_user", None, 12),
    "ticket-detail": ("acme_user", lambda w: {"pk": w.acme_ticket.pk}, 10),
    "contract-list": ("acme_user", None, 6),
    "contract-contacts": ("globex_user", lambda w: {"pk": w.globex_contract.pk}, 6),
    # Partners: + the zones in which their authorisation holds today (one query).
    "partner-dashboard": ("partner_user", None, 6),
    # + the product filter offers the products of the partner's contracts only; the rows are
    # read after the partner's contract ids (portal.selectors._rows: its zones, its ids).
    "partner-ticket-list": ("partner_user", None, 12),
    "registration-list": ("partner_user", None, 4),
    "registration-detail": ("partner_user", lambda w: {"pk": w.registration.pk}, 5),
}


def _more_data(world):
    """Tickets, messages with attachments, history and proposals in both organisations."""
    for i in range(6):
        ticket = open_ticket(
            world.acme_contract, world.acme_user, world.version, subject=f"More {i}"
        )
        message_post(
            ticket=ticket,
            author=world.engineer,
            body="Looking.",
            now=OPENED + timedelta(minutes=10),
        )
        if i % 2:
            ticket_wait_for_customer(
                ticket=ticket, by=world.engineer, reason="Logs?", now=OPENED + timedelta(hours=1)
            )
        else:
            agreement_propose(
                ticket=ticket,
                by=world.engineer,
                due_at=OPENED + timedelta(days=60),
                reason="Next release.",
                now=OPENED + timedelta(hours=1),
            )
        open_ticket(world.globex_contract, world.globex_user, world.version, subject=f"G{i}")
    for i in range(8):
        message_post(
            ticket=world.acme_ticket,
            author=world.acme_user if i % 2 else world.engineer,
            body=f"Message {i}",
            attachments=[log_file(f"m{i}.log")],
            now=OPENED + timedelta(hours=2, minutes=i),
        )
    ContactFactory(contract=world.globex_contract)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_costs_a_fixed_number_of_queries(world, login, name, django_assert_max_num_queries):
    persona, kwargs, most = PAGES[name]
    client = login(getattr(world, persona))
    url = reverse(f"portal:{name}", kwargs=kwargs(world) if kwargs else None)
    client.get(url)  # warm up: session, content types
    small = _count(client, url)
    _more_data(world)
    more = _count(client, url)
    _more_data(world)
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
    even_more = _count(client, url)
    # An empty list may skip a query; once there is data, more data costs nothing more.
    assert small <= more == even_more, f"{name}: {small}, {more}, {even_more} queries"
