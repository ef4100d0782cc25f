"""The staff ticket page as a place to work (issue 12 items 7-11, issue 11 item 9, issue 13):
what the customer reads apart from internal notes, a quiet history, a final breach shown as the
due time that was missed, assign-on-reply, canned replies, and a page that costs one query per
section."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from sla.models import Metric
from tests.factories import StaffFactory, UserFactory
from tests.tickets.factories import MessageFactory, TicketEventFactory
from tests.tickets.helpers import MONDAY, clocks_of, sh
from tickets.canned import canned_fill
from tickets.models import CannedReply, EventField, SlaState, TicketEvent
from tickets.notifications import slots
from tickets.notifications.sending import outbox_drain
from tickets.services import message_post, ticket_assign, ticket_downgrade
from tickets.services.change import ticket_change
from tickets.sla.sweep import clocks_evaluate

pytestmark = pytest.mark.django_db
NOW = "2026-11-23 03:00:00"  # Monday 11:00 in Shanghai


@pytest.fixture
def desk(client, manager):
    client.force_login(manager)
    return client


def page_of(client, ticket) -> str:
    response = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def post_action(client, ticket, key, data, at=NOW):
    with freeze_time(at):
        response = client.post(reverse("admin:tickets_ticket_do", args=[ticket.pk, key]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def drain():
    with mock.patch.object(slots, "queue_task"):
        outbox_drain(clock=lambda: sh(2026, 11, 23, 12), budget=60)


# --- 1. the customer's message and the internal note --------------------------------------


@pytest.mark.parametrize(
    ("key", "field", "setup"),
    [
        ("wait", "reason", "answered"),
        ("restore", "note", "answered"),
        ("resolve", "note", "answered"),
        ("downgrade", "reason", "answered"),
        ("unsupported", "reason", "answered"),
    ],
)
def test_an_internal_note_never_reaches_the_customer(
    desk, client, open_ticket, engineer, contact, key, field, setup
):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))
    mail.outbox.clear()

    post_action(
        desk,
        ticket,
        key,
        {field: "Message for you", "internal_note": "Agreed on the phone to treat it as P3"},
    )
    drain()

    # The desk shows both, each said for what it is.
    staff_html = page_of(desk, ticket)
    assert "Agreed on the phone to treat it as P3" in staff_html
    assert "Message for you" in staff_html
    entry = TicketEvent.objects.filter(ticket=ticket).exclude(internal_note="").get()
    assert entry.internal_note == "Agreed on the phone to treat it as P3"
    # The customer: portal page, API detail, e-mail.
    customer = APIClient()
    customer.force_authenticate(contact)
    api = customer.get(f"/api/v1/tickets/{ticket.pk}/")
    assert api.status_code == 200
    client.logout()
    client.force_login(contact)
    portal = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()
    assert "Message for you" in portal
    customer_mail = [m for m in mail.outbox if contact.email in m.to]
    for text in (portal, api.content.decode(), *(m.body for m in customer_mail)):
        assert "Agreed on the phone" not in text
        assert "internal_note" not in text


def test_every_staff_form_labels_the_message_and_the_internal_note(desk, open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))

    for key in ("wait", "restore", "resolve", "downgrade", "unsupported"):
        html = desk.get(reverse("admin:tickets_ticket_do", args=[ticket.pk, key])).content.decode()
        assert 'name="internal_note"' in html, key
        assert "Message to the customer" in html and "support staff only" in html, key


def test_a_downgrade_needs_a_reason_for_someone(desk, open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))

    with freeze_time(NOW):
        response = desk.post(
            reverse("admin:tickets_ticket_do", args=[ticket.pk, "downgrade"]),
            {"reason": "", "internal_note": " "},
        )

    assert response.status_code == 200
    assert response.context["form"].has_error("reason", code="required")
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


# --- 2. quiet history ---------------------------------------------------------------------


def test_one_action_is_one_entry_with_the_reason_once(open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))
    at = sh(2026, 11, 23, 11)

    ticket_downgrade(ticket=ticket, by=engineer, reason="Only one node", now=at)

    [entry] = TicketEvent.objects.filter(ticket=ticket, at=at)
    fields = [c["field"] for c in entry.all_changes]
    assert fields[0] == EventField.PRIORITY and len(fields) >= 3
    assert entry.reason == "Only one node"
    assert all("reason" not in change for change in entry.changes)


def test_a_change_that_changes_nothing_is_never_written(open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    at = sh(2026, 11, 23, 11)

    # A due time that moves by seconds reads the same to the minute: "X → X".
    with ticket_change(ticket, by=engineer, now=at, reason="recomputed") as change:
        restore = change.clocks[Metric.RESTORE]
        restore.due_at += timedelta(seconds=20)
        change.set_status(ticket.status)

    assert not TicketEvent.objects.filter(ticket=ticket, at=at).exists()


def test_replying_assigns_an_unassigned_ticket_once(open_ticket, engineer, contact):
    ticket = open_ticket(now=MONDAY)

    message_post(ticket=ticket, author=engineer, body="On it.", now=sh(2026, 11, 23, 10, 30))
    message_post(ticket=ticket, author=engineer, body="Still.", now=sh(2026, 11, 23, 10, 40))
    other = StaffFactory()
    message_post(ticket=ticket, author=other, body="Me too.", now=sh(2026, 11, 23, 10, 50))
    message_post(ticket=ticket, author=contact, body="Thanks", now=sh(2026, 11, 23, 11))

    ticket.refresh_from_db()
    assert ticket.assignee == engineer
    assigned = [
        e
        for e in TicketEvent.objects.filter(ticket=ticket)
        for c in e.all_changes
        if c["field"] == EventField.ASSIGNEE
    ]
    assert len(assigned) == 1 and assigned[0].public is False


def test_an_internal_note_does_not_assign(open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)

    message_post(ticket=ticket, author=engineer, body="x", public=False, now=MONDAY)

    ticket.refresh_from_db()
    assert ticket.assignee is None


# --- 3 and 4. a breach is final, shown as the due time it missed ---------------------------


def test_breached_on_is_the_missed_due_time_with_when_it_was_noticed(desk, open_ticket):
    ticket = open_ticket(now=MONDAY, priority="P2")  # response due Mon 14:00 Shanghai
    # The sweep runs late, after an outage: at 17:30.
    clocks_evaluate(now=sh(2026, 11, 23, 17, 30))

    with freeze_time(sh(2026, 11, 23, 18)):
        html = page_of(desk, ticket)

    row = html.split('id="clock-response"')[1].split("</tr>")[0]
    assert "Breached on 2026-11-23 14:00 (Asia/Shanghai)" in row
    assert "noticed 2026-11-23 17:30 (Asia/Shanghai)" in row
    assert "Met on" not in row


def test_the_desk_page_names_zones_never_abbreviations(desk, open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))

    with freeze_time(NOW):
        html = page_of(desk, ticket)

    assert "(Asia/Shanghai)" in html
    for abbreviation in (" CST", " CET", " UTC+", "+08:00"):
        assert abbreviation not in html


def test_a_breach_stays_after_an_agreed_time_and_a_recompute(open_ticket, engineer):
    from tickets.services import ticket_clocks_recompute

    ticket = open_ticket(now=MONDAY, priority="P2")
    message_post(ticket=ticket, author=engineer, body="Late.", now=sh(2026, 11, 23, 16))
    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.BREACHED

    ticket_clocks_recompute(now=sh(2026, 11, 23, 17))

    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.BREACHED


# --- 5. canned replies ----------------------------------------------------------------------


def test_a_canned_reply_is_filled_in_for_the_ticket(desk, open_ticket, contact, manager):
    contact.first_name, contact.last_name = "Lei", "Li"
    contact.save()
    ticket = open_ticket(now=MONDAY, priority="P2")
    reply = CannedReply.objects.create(
        title="Ack",
        body="Dear {customer_name}, ticket {ticket} ({subject}): response by {response_due}, "
        "restore by {restore_due}, fix by {resolve_due}. {unknown}",
    )

    response = desk.get(reverse("admin:tickets_ticket_canned", args=[ticket.pk, reply.pk]))

    assert response.status_code == 200
    text = response.json()["text"]
    assert text.startswith(f"Dear Lei Li, ticket #{ticket.pk} (Broker refuses connections)")
    assert "response by 2026-11-23 14:00 (Asia/Shanghai)" in text
    assert "restore by 20" in text and "fix by 20" in text
    assert text.endswith("{unknown}")


def test_canned_fill_never_looks_up_attributes():
    assert canned_fill("{ticket.__class__} {ticket}", {"ticket": "#1"}) == "{ticket.__class__} #1"


def test_engineers_insert_canned_replies_managers_keep_them(client, open_ticket):
    engineer = StaffFactory()
    ticket = open_ticket(now=MONDAY)
    reply = CannedReply.objects.create(title="Ack", body="Hello {customer_name}")
    client.force_login(engineer)

    page = page_of(client, ticket)
    inserted = client.get(reverse("admin:tickets_ticket_canned", args=[ticket.pk, reply.pk]))
    change = client.post(
        reverse("admin:tickets_cannedreply_change", args=[reply.pk]),
        {"title": "Edited", "body": "x", "active": "on"},
    )

    assert reverse("admin:tickets_ticket_canned", args=[ticket.pk, reply.pk]) in page
    assert inserted.status_code == 200
    assert change.status_code == 403
    assert client.get(reverse("admin:tickets_cannedreply_add")).status_code == 403


def test_canned_replies_are_refused_to_staff_without_a_role(client, open_ticket):
    nobody = UserFactory(is_staff=True)
    ticket = open_ticket(now=MONDAY)
    reply = CannedReply.objects.create(title="Ack", body="Hello")
    client.force_login(nobody)

    response = client.get(reverse("admin:tickets_ticket_canned", args=[ticket.pk, reply.pk]))

    assert response.status_code in (302, 403, 404)


def test_an_inactive_canned_reply_is_not_offered(desk, open_ticket):
    ticket = open_ticket(now=MONDAY)
    reply = CannedReply.objects.create(title="Old", body="Hello", active=False)

    html = page_of(desk, ticket)
    response = desk.get(reverse("admin:tickets_ticket_canned", args=[ticket.pk, reply.pk]))

    assert reverse("admin:tickets_ticket_canned", args=[ticket.pk, reply.pk]) not in html
    assert response.status_code == 404


def test_managers_keep_canned_replies(desk):
    response = desk.post(
        reverse("admin:tickets_cannedreply_add"),
        {"title": "Logs please", "body": "Dear {customer_name}, please send logs.", "active": "on"},
    )

    assert response.status_code == 302
    assert CannedReply.objects.get().title == "Logs please"
    help_page = desk.get(reverse("admin:tickets_cannedreply_add")).content.decode()
    assert "{customer_name}" in help_page and "{resolve_due}" in help_page


# --- 5. the thread beside the reply box, 6. the cost of the page --------------------------


def test_the_reply_box_sits_under_the_thread_it_answers(desk, open_ticket, engineer, contact):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=contact, body="First words", now=sh(2026, 11, 23, 10, 5))
    message_post(ticket=ticket, author=engineer, body="Last words", now=sh(2026, 11, 23, 10, 30))

    html = page_of(desk, ticket)

    reply_url = reverse("admin:tickets_ticket_do", args=[ticket.pk, "reply"])
    assert html.index("First words") < html.index("Last words") < html.index(reply_url)
    assert f'action="{reply_url}"' in html and 'name="body"' in html


def test_the_reply_box_posts_the_reply(desk, open_ticket, manager):
    ticket = open_ticket(now=MONDAY)

    post_action(desk, ticket, "reply", {"body": "We are on it."})

    ticket.refresh_from_db()
    assert ticket.messages.get().body == "We are on it."
    assert ticket.assignee == manager


def test_the_page_costs_one_query_per_section(
    desk, open_ticket, engineer, contact, django_assert_max_num_queries
):
    ticket = open_ticket(now=MONDAY)
    for _ in range(60):
        MessageFactory(ticket=ticket)
        TicketEventFactory(ticket=ticket)
    CannedReply.objects.create(title="Ack", body="Hello")
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=MONDAY)
    page_of(desk, ticket)  # warm caches

    with freeze_time(NOW), django_assert_max_num_queries(13):
        html = page_of(desk, ticket)

    assert html.count('class="ticket-message') == 61  # the description and 60 messages


def test_the_list_does_not_join_what_only_the_page_shows(desk, rf, manager):
    from django.contrib.admin.sites import site

    from tickets.models import Ticket

    request = rf.get("/")
    request.user = manager
    queryset = site._registry[Ticket].get_queryset(request)

    assert not queryset.query.select_related


def test_the_api_takes_an_internal_note_from_staff_and_never_shows_it(
    open_ticket, engineer, contact
):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))
    staff = APIClient()
    staff.force_authenticate(engineer)

    response = staff.post(
        f"/api/v1/tickets/{ticket.pk}/downgrade/",
        {"reason": "", "internal_note": "Deal made by phone"},
        format="json",
    )

    assert response.status_code == 200
    assert TicketEvent.objects.filter(internal_note="Deal made by phone").exists()
    customer = APIClient()
    customer.force_authenticate(contact)
    assert (
        "Deal made by phone" not in customer.get(f"/api/v1/tickets/{ticket.pk}/").content.decode()
    )


def test_the_customer_page_says_breached_on_the_missed_due_time_never_met(
    client, open_ticket, engineer, contact
):
    ticket = open_ticket(now=MONDAY, priority="P2")  # response due Mon 14:00 Shanghai
    message_post(ticket=ticket, author=engineer, body="Late.", now=sh(2026, 11, 23, 16))
    ticket_downgrade(ticket=ticket, by=engineer, reason="r", now=sh(2026, 11, 23, 17))
    client.force_login(contact)

    with freeze_time(sh(2026, 11, 23, 18)):
        html = client.get(reverse("portal:ticket-detail", args=[ticket.pk])).content.decode()

    assert "Breached on 2026-11-23 14:00 (Asia/Shanghai)" in html
    assert "reached late on 2026-11-23 16:00 (Asia/Shanghai)" in html
    response = html.split('data-metric="response"')[1].split('data-metric="restore"')[0]
    assert 'data-outcome="met"' not in response and "Met on" not in response
