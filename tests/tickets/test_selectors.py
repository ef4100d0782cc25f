"""Who sees which tickets (customer of A, customer of B, partner, staff, outsider), and the
shared FilterSet."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests.factories import (
    ContractFactory,
    CustomerUserFactory,
    PartnerFactory,
    PartnerUserFactory,
    StaffFactory,
    UserFactory,
)
from tests.tickets.factories import TicketFactory
from tickets.filters import TicketFilterSet
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_user, tickets_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = PartnerFactory()
    a = TicketFactory(contract=ContractFactory(sold_by=partner))
    b = TicketFactory()
    return {
        "a": a,
        "b": b,
        "customer_a": CustomerUserFactory(customer=a.contract.customer),
        "customer_b": CustomerUserFactory(customer=b.contract.customer),
        "partner": PartnerUserFactory(partner=partner),
        "other_partner": PartnerUserFactory(),
        "staff": StaffFactory(),
        "outsider": UserFactory(),
    }


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("customer_a", {"a"}),
        ("customer_b", {"b"}),
        ("partner", {"a"}),
        ("other_partner", set()),
        ("staff", {"a", "b"}),
        ("outsider", set()),
    ],
)
def test_tickets_for_user(world, persona, sees):
    visible = set(tickets_for_user(world[persona]).values_list("pk", flat=True))

    assert visible == {world[name].pk for name in sees}


def test_anonymous_sees_nothing(world):
    assert not tickets_for_user(AnonymousUser()).exists()


def test_ticket_get_for_user_is_404_for_someone_elses_ticket(world):
    assert ticket_get_for_user(world["customer_a"], world["a"].pk) == world["a"]
    with pytest.raises(Http404):
        ticket_get_for_user(world["customer_a"], world["b"].pk)


def test_list_needs_one_query_whatever_the_number_of_tickets(world, django_assert_num_queries):
    for _ in range(5):
        TicketFactory(contract=world["a"].contract)

    with django_assert_num_queries(1):
        rows = [
            (t.contract.customer.name_en, t.contract.tier.code, t.product.name, t.assignee)
            for t in tickets_for_user(world["staff"])
        ]
    assert len(rows) == 7


def test_filters_narrow_a_scoped_queryset(world):
    a, b = world["a"], world["b"]
    Ticket.objects.filter(pk=a.pk).update(status="waiting", sla_state="breached", priority="P1")
    scope = tickets_for_user(world["staff"])

    def pks(**params):
        return {t.pk for t in TicketFilterSet(params, queryset=scope).qs}

    assert pks(status=["waiting"]) == {a.pk}
    assert pks(sla_state=["breached"]) == {a.pk}
    assert pks(priority=["P1"]) == {a.pk}
    assert pks(contract=b.contract.number.lower()) == {b.pk}
    assert pks(search=f"#{b.pk}") == {b.pk}
    assert pks(search=a.subject) == {a.pk}
    assert pks(product=b.product.pk) == {b.pk}
    assert pks(search=b.contract.customer.name_en) == {b.pk}


def test_due_ordering_puts_tickets_without_a_due_time_last(world):
    a, b = world["a"], world["b"]
    Ticket.objects.filter(pk=a.pk).update(next_due_at=None)
    scope = tickets_for_user(world["staff"])

    ascending = [t.pk for t in TicketFilterSet({"ordering": "due"}, queryset=scope).qs]
    descending = [t.pk for t in TicketFilterSet({"ordering": "-due"}, queryset=scope).qs]

    assert ascending == [b.pk, a.pk]
    assert descending == [b.pk, a.pk]
