"""Personas and a ticket opener for the ticket tests. Contracts are 5x8 in Asia/Shanghai with the
CN holiday calendar unless a test says otherwise; times are written as Shanghai wall times."""

import pytest

from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerUserFactory,
    ManagerFactory,
    StaffFactory,
    VersionFactory,
    tier,
)
from tests.tickets.helpers import ticket_opener


@pytest.fixture
def version(db):
    return VersionFactory()


@pytest.fixture
def contract(version):
    return ContractFactory(products=[version.product])


@pytest.fixture
def contract_7x24(version):
    return ContractFactory(products=[version.product], tier=tier("7x24"))


@pytest.fixture
def contact(contract):
    """A named support contact of `contract` (customer A)."""
    return ContactFactory(contract=contract).user


@pytest.fixture
def colleague(contract):
    """A user of the same customer who is not a named contact."""
    return CustomerUserFactory(customer=contract.customer)


@pytest.fixture
def engineer(db):
    return StaffFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory(is_superuser=True)


@pytest.fixture
def open_ticket(contract, contact, version):
    return ticket_opener(contract, contact, version)
