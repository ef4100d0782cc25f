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
from tests.tickets.factories import MessageFactory, RemoteSessionFactory, TicketFactory
from tickets.filters import TicketFilterSet
from tickets.models import Attachment, Ticket
from tickets.selectors import (
    attachment_get_for_user,
    attachments_for_user,
    messages_for_user,
    remote_sessions_for_user,
    ticket_get_for_user,
    tickets_for_user,
)

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

    with django_assert_num_queries(2):  # the staff member's role, then the list
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


# --- the thread and its files -----------------------------------------------------------------


def file_on(ticket, message=None) -> Attachment:
    return Attachment.objects.create(
        ticket=ticket,
        message=message,
        file="attachments/x.log",
        name="x.log",
        size=1,
        content_type="text/plain",
        uploaded_by=ticket.reporter,
        uploaded_at=ticket.opened_at,
    )


@pytest.fixture
def thread(world):
    """Ticket A with a public reply and an internal note, a file on each and one on the ticket;
    a file on ticket B."""
    a = world["a"]
    reply = MessageFactory(ticket=a, public=True)
    note = MessageFactory(ticket=a, public=False, kind="note")
    return {
        "reply": reply,
        "note": note,
        "opening_file": file_on(a),
        "reply_file": file_on(a, reply),
        "note_file": file_on(a, note),
        "b_file": file_on(world["b"]),
    }


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("customer_a", {"opening_file", "reply_file"}),
        ("partner", {"opening_file", "reply_file"}),
        ("customer_b", {"b_file"}),
        ("other_partner", set()),
        ("staff", {"opening_file", "reply_file", "note_file", "b_file"}),
        ("outsider", set()),
    ],
)
def test_attachments_for_user(world, thread, persona, sees):
    visible = set(attachments_for_user(world[persona]).values_list("pk", flat=True))

    assert visible == {thread[name].pk for name in sees}


def test_anonymous_downloads_nothing(thread):
    assert not attachments_for_user(AnonymousUser()).exists()
    assert not messages_for_user(AnonymousUser(), thread["reply"].ticket).exists()


def test_attachment_get_for_user_is_404_for_a_note_file_and_under_another_ticket(world, thread):
    customer = world["customer_a"]

    assert attachment_get_for_user(customer, thread["reply_file"].pk) == thread["reply_file"]
    with pytest.raises(Http404):
        attachment_get_for_user(customer, thread["note_file"].pk)
    with pytest.raises(Http404):
        attachment_get_for_user(customer, thread["reply_file"].pk, ticket_pk=world["b"].pk)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("customer_a", {"reply"}),
        ("partner", {"reply"}),
        ("customer_b", set()),
        ("staff", {"reply", "note"}),
        ("outsider", set()),
    ],
)
def test_messages_for_user(world, thread, persona, sees):
    visible = set(messages_for_user(world[persona], world["a"]).values_list("pk", flat=True))

    assert visible == {thread[name].pk for name in sees}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("customer_a", True), ("partner", True), ("customer_b", False), ("staff", True)],
)
def test_remote_sessions_for_user(world, persona, sees):
    session = RemoteSessionFactory(ticket=world["a"])

    assert remote_sessions_for_user(world[persona]).filter(pk=session.pk).exists() == sees


def _ticket_a(world, *, contract_loaded: bool) -> Ticket:
    tickets = Ticket.objects.select_related("contract") if contract_loaded else Ticket.objects
    return tickets.get(pk=world["a"].pk)


@pytest.mark.parametrize("contract_loaded", [True, False])
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("customer_a", {"opening_file", "reply_file"}),
        ("partner", {"opening_file", "reply_file"}),
        ("customer_b", set()),
        ("other_partner", set()),
        ("staff", {"opening_file", "reply_file", "note_file"}),
        ("outsider", set()),
    ],
)
def test_attachments_of_one_ticket_for_user(world, thread, persona, sees, contract_loaded):
    ticket = _ticket_a(world, contract_loaded=contract_loaded)

    visible = set(attachments_for_user(world[persona], ticket=ticket).values_list("pk", flat=True))

    assert visible == {thread[name].pk for name in sees}


@pytest.mark.parametrize("contract_loaded", [True, False])
@pytest.mark.parametrize(
    ("persona", "sees"),
    [("customer_a", {"reply"}), ("partner", {"reply"}), ("customer_b", set()), ("outsider", set())],
)
def test_messages_for_user_whether_or_not_the_contract_came_with_the_ticket(
    world, thread, persona, sees, contract_loaded
):
    ticket = _ticket_a(world, contract_loaded=contract_loaded)

    visible = set(messages_for_user(world[persona], ticket).values_list("pk", flat=True))

    assert visible == {thread[name].pk for name in sees}


def test_a_customers_thread_of_a_ticket_in_hand_is_read_without_a_scope_subquery(world, thread):
    """The ticket page has already read the ticket through ticket_get_for_user: its thread and
    files need no second look at which tickets the user sees."""
    customer = world["customer_a"]
    ticket = ticket_get_for_user(customer, world["a"].pk)

    assert str(messages_for_user(customer, ticket).query).count("SELECT") == 1
    assert str(attachments_for_user(customer, ticket=ticket).query).count("SELECT") == 1
