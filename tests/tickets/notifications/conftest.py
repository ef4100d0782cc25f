"""Personas and helpers for the notification tests: a 5x8 contract with two named contacts (one
reads Chinese), a colleague who is no named contact, an engineer, a manager, an engineer on call;
`send()` drains the outbox through the one sending path (to the test's SMTP server when the
test asks for `smtp_server`)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import ContactFactory, ManagerFactory, StaffFactory
from tests.tickets.helpers import MONDAY
from tickets.notifications import slots
from tickets.notifications.models import OnCallShift
from tickets.notifications.sending import outbox_drain


@pytest.fixture(autouse=True)
def _no_broker():
    # Drains asked for after commit would go to the broker; the tests drain by calling it.
    with mock.patch.object(slots, "queue_task"):
        yield


@pytest.fixture
def second_contact(contract):
    user = ContactFactory(contract=contract).user
    user.language = "zh-hans"
    user.save()
    return user


@pytest.fixture
def on_call(db):
    """An engineer on call all of the test week."""
    engineer = StaffFactory(language="en")
    OnCallShift.objects.create(
        engineer=engineer,
        starts_at=MONDAY - timedelta(days=1),
        ends_at=MONDAY + timedelta(days=6),
    )
    return engineer


@pytest.fixture
def managers(db):
    return [ManagerFactory(language="en")]


def send(at=None):
    """Drain the outbox as a worker does (delivery time: `at`, default now)."""
    moment = at or timezone.now()
    return outbox_drain(clock=lambda: moment, budget=60)
