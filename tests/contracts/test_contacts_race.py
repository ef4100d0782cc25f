"""The named-contact cap under concurrency, on PostgreSQL (SQLite serialises writers, so the
race only really happens here): two people add a contact at the same moment to a contract with
one free slot; exactly one succeeds."""

import threading
import time

import pytest
from django.db import connection

from contracts.models import Contract
from contracts.services import contact_add
from contracts.services import contacts as contacts_service
from core.errors import ServiceError
from tests.contracts.conftest import NOW
from tests.factories import ContactFactory, ContractFactory, ManagerFactory, tier

# serialized_rollback: the flush after the test would drop the seeded tiers and calendars.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(contract: Contract, emails: list[str], by) -> list[str]:
    """Run contact_add for each e-mail in its own thread and connection, released together."""
    barrier = threading.Barrier(len(emails))
    outcomes: list[str] = []

    def worker(email: str) -> None:
        try:
            fresh = Contract.objects.get(pk=contract.pk)
            barrier.wait(timeout=10)
            contact_add(contract=fresh, email=email, added_by=by, now=NOW)
            outcomes.append("added")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def slow_count(monkeypatch):
    """Hold each adder between counting the free slots and inserting, so that without the row
    lock both would see the slot free and both would insert."""
    real = contacts_service.free_slots

    def slow(contract):
        slots = real(contract)
        time.sleep(0.5)
        return slots

    monkeypatch.setattr(contacts_service, "free_slots", slow)


def test_two_simultaneous_adds_for_the_last_7x24_slot_one_wins(slow_count):
    contract = ContractFactory(tier=tier("7x24"))
    ContactFactory(contract=contract)
    manager = ManagerFactory()
    outcomes = race(contract, ["left@customer.test", "right@customer.test"], manager)
    assert outcomes == ["added", "contact_cap"]
    assert contract.contacts.count() == 2


def test_two_simultaneous_adds_to_an_empty_5x8_contract_one_wins(slow_count):
    contract = ContractFactory(tier=tier("5x8"))
    manager = ManagerFactory()
    outcomes = race(contract, ["left@customer.test", "right@customer.test"], manager)
    assert outcomes == ["added", "contact_cap"]
    assert contract.contacts.count() == 1
