"""Minimal ticket and clock factories for the SLA sweep tests. Rows are written directly (no
ticket services): the sweep only needs stored deadlines."""

from datetime import timedelta

import factory
from django.utils import timezone

from sla.models import Metric, Priority, TargetUnit
from tests.factories import ContractFactory, CustomerUserFactory, ProductFactory, VersionFactory
from tickets.models import Clock, SlaState, Ticket


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    contract = factory.SubFactory(ContractFactory)
    product = factory.SubFactory(ProductFactory)
    version = factory.SubFactory(VersionFactory, product=factory.SelfAttribute("..product"))
    priority = Priority.P1
    original_priority = factory.SelfAttribute("priority")
    reporter = factory.LazyAttribute(lambda o: CustomerUserFactory(customer=o.contract.customer))
    subject = factory.Sequence(lambda n: f"Broker {n} refuses connections")
    description = "All clients are disconnected."
    opened_at = factory.LazyFunction(timezone.now)


class ClockFactory(factory.django.DjangoModelFactory):
    """A running response clock: 2 h target, at risk after 75 % (1 h 30)."""

    class Meta:
        model = Clock

    ticket = factory.SubFactory(TicketFactory)
    metric = Metric.RESPONSE
    state = SlaState.RUNNING
    started_at = factory.SelfAttribute("ticket.opened_at")
    target_amount = 2
    target_unit = TargetUnit.HOURS
    due_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(hours=2))
    at_risk_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=90))
