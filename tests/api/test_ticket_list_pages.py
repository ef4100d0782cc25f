"""The API's ticket list: `page_size` up to 100, and a page read ids first (the caller's whole
list is never joined to the tables the rows show)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import ContactFactory, ContractFactory, VersionFactory
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


@pytest.fixture
def customer():
    version = VersionFactory()
    contract = ContractFactory(products=[version.product])
    contact = ContactFactory(contract=contract).user
    for _ in range(105):
        TicketFactory(contract=contract, version=version, reporter=contact)
    TicketFactory()  # another organisation's
    client = APIClient()
    client.force_authenticate(contact)
    return client


@pytest.mark.parametrize(("asked", "served"), [(None, 25), (10, 10), (100, 100), (500, 100)])
def test_page_size_is_honoured_up_to_100(customer, asked, served):
    params = {} if asked is None else {"page_size": asked}

    body = customer.get(URL, params).json()

    assert body["count"] == 105
    assert len(body["results"]) == served


@pytest.mark.parametrize("asked", ["0", "-5", "many"])
def test_a_page_size_that_is_not_a_positive_number_is_the_default(customer, asked):
    response = customer.get(URL, {"page_size": asked})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 25


def test_the_pages_cover_the_list_once_in_order(customer):
    first = customer.get(URL, {"page_size": 100}).json()
    second = customer.get(first["next"]).json()

    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 105
    opened = [row["opened_at"] for row in first["results"] + second["results"]]
    assert opened == sorted(opened, reverse=True)


def test_the_customer_list_picks_its_page_of_ids_first(customer):
    with CaptureQueriesContext(connection) as captured:
        customer.get(URL, {"page_size": 100})

    (paging,) = [q["sql"] for q in captured if "LIMIT 100" in q["sql"]]
    selected = paging.split(" FROM ")[0]
    assert selected.startswith('SELECT "tickets_ticket"."id"') and "," not in selected
    for table in ("contracts_product", "contracts_productversion", "sla_tier", "accounts_user"):
        assert f'JOIN "{table}"' not in paging, table
