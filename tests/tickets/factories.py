"""Ticket rows for tests that need many of them (list pages, selectors). Tests of behaviour open
tickets through tickets.services.ticket_open instead, so their clocks are real."""

from datetime import UTC, datetime

import factory

from tests.factories import ContractFactory, CustomerUserFactory, StaffFactory, VersionFactory
from tickets.models import Message, MessageKind, RemoteSession, Ticket, TicketEvent, TicketStatus


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    contract = factory.SubFactory(ContractFactory)
    version = factory.SubFactory(VersionFactory)
    product = factory.LazyAttribute(lambda o: o.version.product)
    priority = "P2"
    original_priority = factory.LazyAttribute(lambda o: o.priority)
    reporter = factory.LazyAttribute(lambda o: CustomerUserFactory(customer=o.contract.customer))
    unmodified_build = True
    subject = factory.Sequence(lambda n: f"Broker problem {n}")
    description = "Clients are disconnected every few minutes."
    status = TicketStatus.IN_PROGRESS
    opened_at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    sla_state = "running"
    next_due_at = factory.Sequence(lambda n: datetime(2026, 11, 24, 2, n % 60, tzinfo=UTC))


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SubFactory(StaffFactory)
    kind = MessageKind.REPLY
    public = True
    body = "Please send the broker logs."
    created_at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


class TicketEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    actor = None
    at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    field = "status"
    before = "new"
    after = "in_progress"


class RemoteSessionFactory(factory.django.DjangoModelFactory):
    """A requested session as a row (booking through the service needs a future start)."""

    class Meta:
        model = RemoteSession

    ticket = factory.SubFactory(TicketFactory)
    requested_by = factory.LazyAttribute(lambda o: o.ticket.reporter)
    requested_at = factory.LazyAttribute(lambda o: o.ticket.opened_at)
    starts_at = factory.LazyAttribute(lambda o: o.ticket.opened_at)
    project_context = "EMQX 5.9, 3 nodes on Kubernetes; clients are disconnected."
