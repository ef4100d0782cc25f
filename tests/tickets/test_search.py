"""One search for the portal, the desk and the API (tickets.selectors.ticket_search): subjects,
descriptions and messages, in English and Chinese, any length of term, scoped to what the user
may see; internal notes are searched for staff only."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import ContactFactory, ContractFactory
from tests.tickets.factories import MessageFactory, TicketFactory
from tickets.models import Message, Ticket
from tickets.selectors import _Pairs, ticket_search

pytestmark = pytest.mark.django_db
DESK = reverse("admin:tickets_ticket_changelist")
API = "/api/v1/tickets/"
BODY = "The broker restarted after a kernel panic. 集群节点内核崩溃后重启。"


@pytest.fixture
def scene(db):
    ours, theirs = ContractFactory(), ContractFactory()
    mine = TicketFactory(contract=ours, subject="Slow subscriptions")
    MessageFactory(ticket=mine, body=BODY)
    foreign = TicketFactory(contract=theirs, subject="Slow subscriptions")
    MessageFactory(ticket=foreign, body=BODY)
    noted = TicketFactory(contract=ours, subject="Disk alarms")
    MessageFactory(ticket=noted, body="Internal: suspect the zebrafish switch.", public=False)
    plain = TicketFactory(contract=ours, subject="Nothing to see")
    contact = ContactFactory(contract=ours).user
    return {"mine": mine, "foreign": foreign, "noted": noted, "plain": plain, "contact": contact}


def portal_search(client, user, term) -> set:
    client.force_login(user)
    response = client.get(reverse("portal:ticket-list"), {"search": term})
    assert response.status_code == 200
    return {t.pk for t in response.context["page_obj"].object_list}


def desk_search(client, manager, term) -> set:
    client.force_login(manager)
    response = client.get(DESK, {"q": term})
    assert response.status_code == 200
    return {t.pk for t in response.context["cl"].result_list}


def api_search(client, user, term) -> set:
    client.force_login(user)
    response = client.get(API, {"search": term}, headers={"accept": "application/json"})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "term",
    [
        "kernel panic",  # English, only in a message
        "KERNEL",  # any case
        "内核崩溃",  # Chinese, four characters
        "内核",  # Chinese, two characters (shorter than a trigram)
        "集群节点内核",
    ],
)
def test_a_term_only_in_a_message_finds_the_ticket_everywhere(client, manager, scene, term):
    mine, foreign = scene["mine"].pk, scene["foreign"].pk

    assert portal_search(client, scene["contact"], term) == {mine}
    assert api_search(client, scene["contact"], term) == {mine}
    assert desk_search(client, manager, term) == {mine, foreign}
    assert api_search(client, manager, term) == {mine, foreign}


def test_a_customer_never_finds_another_organisations_ticket(client, scene):
    """The foreign ticket has the same subject and message: scope first, search second."""
    for term in ("Slow subscriptions", "kernel", "内核", str(scene["foreign"].pk)):
        assert scene["foreign"].pk not in portal_search(client, scene["contact"], term)
        assert scene["foreign"].pk not in api_search(client, scene["contact"], term)


def test_internal_notes_are_searched_for_staff_only(client, manager, scene):
    noted = scene["noted"].pk

    assert portal_search(client, scene["contact"], "zebrafish") == set()
    assert api_search(client, scene["contact"], "zebrafish") == set()
    assert desk_search(client, manager, "zebrafish") == {noted}
    assert api_search(client, manager, "zebrafish") == {noted}


def test_subject_description_number_and_customer_still_match(client, manager, scene):
    mine = scene["mine"]

    assert desk_search(client, manager, "Disk alarm") == {scene["noted"].pk}
    assert scene["plain"].pk in desk_search(client, manager, "disconnected every")
    assert desk_search(client, manager, f"#{mine.pk}") == {mine.pk}
    assert mine.pk in desk_search(client, manager, mine.contract.number)
    assert mine.pk in desk_search(client, manager, mine.contract.customer.name_en)
    assert desk_search(client, manager, "9" * 30) == set()  # not a ticket number: no 500


def test_a_ticket_matching_twice_is_listed_once(client, manager, scene):
    MessageFactory(ticket=scene["mine"], body="Another kernel panic.")

    client.force_login(manager)
    response = client.get(DESK, {"q": "kernel"})

    rows = list(response.context["cl"].result_list)
    assert len(rows) == len(set(rows)) == 2


@pytest.mark.parametrize(
    ("inline", "dense_span"),
    [
        (500, 10),  # few matching messages: their ticket ids, inlined
        (1, 10**9),  # many, dense: tested per ticket (EXISTS)
        (1, 0),  # many, sparse: a hashed subquery
    ],
)
def test_every_form_of_the_message_condition_finds_the_same_tickets(
    client, manager, scene, monkeypatch, inline, dense_span
):
    """tickets.selectors._in_messages picks a form by the newest matching messages: the
    results never depend on which."""
    monkeypatch.setattr("tickets.selectors.MESSAGE_IDS_INLINE", inline)
    monkeypatch.setattr("tickets.selectors.DENSE_SPAN", dense_span)
    MessageFactory(ticket=scene["mine"], body="Another kernel panic.")
    mine, foreign, noted = scene["mine"].pk, scene["foreign"].pk, scene["noted"].pk
    MessageFactory(ticket=scene["noted"], body="Internal: a kernel panic again.", public=False)

    assert portal_search(client, scene["contact"], "kernel") == {mine}
    assert api_search(client, scene["contact"], "kernel") == {mine}
    assert desk_search(client, manager, "kernel") == {mine, foreign, noted}
    assert api_search(client, manager, "KERNEL") == {mine, foreign, noted}
    assert desk_search(client, manager, "内核") == {mine, foreign}


@pytest.mark.postgres
def test_on_postgresql_a_dense_term_is_tested_per_ticket_and_two_chinese_characters_use_an_index(
    scene, monkeypatch
):
    """A hashed subquery would read every matching message before the first row; a scan of
    every message for two Chinese characters would grow with the table."""
    monkeypatch.setattr("tickets.selectors.MESSAGE_IDS_INLINE", 1)
    monkeypatch.setattr("tickets.selectors.DENSE_SPAN", 10**9)
    plan = ticket_search(Ticket.objects.all(), "kernel", internal=True)[:50].explain()
    assert "SubPlan" in plan
    assert "hashed SubPlan" not in plan

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    messages = Message.objects.filter(body__icontains="内核")
    assert "message_body_pairs_trgm" not in messages.explain()  # no trigram in two characters
    assert "REGEXP_REPLACE" in str(ticket_search(Ticket.objects.all(), "内核", internal=True).query)
    paired = messages.alias(pairs=_Pairs("body")).filter(pairs__contains="内内核核")
    assert "message_body_pairs_trgm" in paired.explain()
    assert set(paired.values_list("ticket_id", flat=True)) == {
        scene["mine"].pk,
        scene["foreign"].pk,
    }
