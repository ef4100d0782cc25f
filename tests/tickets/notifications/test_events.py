"""Who hears about a ticket event, in which language, with what (docs/spec.md "Who is told
what"): each test makes the event through its service, sends the outbox through a real SMTP
server and reads what arrived."""

from datetime import timedelta

import pytest

from sla.models import Priority
from tests.factories import CustomerUserFactory
from tests.tickets.helpers import MONDAY, sh
from tests.tickets.notifications.conftest import send
from tickets.models import AgreementStatus
from tickets.notifications.events import notify
from tickets.notifications.models import Event, Level, Notification
from tickets.notifications.services import notification_level_set
from tickets.services import (
    agreement_accept,
    agreement_decline,
    agreement_propose,
    call_log,
    message_post,
    remote_session_record,
    remote_session_request,
    ticket_assign,
    ticket_close,
    ticket_downgrade,
    ticket_resolve,
    ticket_restore,
    ticket_wait_for_customer,
)

pytestmark = pytest.mark.django_db
LATER = sh(2026, 11, 23, 10, 30)


def addresses(server) -> set[str]:
    return {rcpt for item in server.received for rcpt in item.recipients}


def answered(open_ticket, engineer, **kwargs):
    """A ticket support has answered, left unassigned (replying assigns it to the engineer)."""
    ticket = open_ticket(**kwargs)
    message_post(ticket=ticket, author=engineer, body="Looking at it.", now=LATER)
    ticket_assign(ticket=ticket, engineer=None, by=engineer, now=LATER)
    ticket.refresh_from_db()
    return ticket


# --- opening --------------------------------------------------------------------------------------


def test_the_reporter_gets_an_acknowledgement_with_the_due_times(
    smtp_server, open_ticket, contact, on_call
):
    ticket = open_ticket(priority=Priority.P3)

    send()

    ack = smtp_server.to(contact.email)
    assert len(ack) == 1
    mail = ack[0]
    assert f"[#{ticket.pk}]" in mail["Subject"]
    assert "Broker refuses connections" in mail["Subject"]
    assert "response: due 2026-11-25 16:00 (Asia/Shanghai)" in mail.text  # 24 service hours
    assert f"/tickets/{ticket.pk}/" in mail.text
    assert mail["Message-ID"] == f"<ticket-{ticket.pk}@example.com>"  # the thread's root
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Reply-To"].startswith(f"support+t{ticket.pk}-")


def test_a_new_p1_pages_the_engineers_on_call_and_not_the_managers(
    smtp_server, open_ticket, on_call, managers
):
    ticket = open_ticket(priority=Priority.P1)

    send()

    page = smtp_server.to(on_call.email)
    assert len(page) == 1
    assert page[0]["Subject"].startswith("[PAGE]")
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in page[0].text
    assert not smtp_server.to(managers[0].email)


def test_a_new_p2_with_nobody_on_call_pages_the_managers(smtp_server, open_ticket, managers):
    open_ticket(priority=Priority.P2)

    send()

    assert smtp_server.to(managers[0].email)[0]["Subject"].startswith("[PAGE]")


def test_a_page_reaches_an_engineer_who_chose_no_notifications(smtp_server, open_ticket, on_call):
    notification_level_set(user=on_call, level=Level.NONE)

    open_ticket(priority=Priority.P1)
    send()

    assert len(smtp_server.to(on_call.email)) == 1


def test_a_new_p3_tells_the_engineers_on_call_unless_they_want_only_their_tickets(
    smtp_server, open_ticket, on_call
):
    open_ticket(priority=Priority.P3)
    notification_level_set(user=on_call, level=Level.MINE)
    open_ticket(priority=Priority.P4)

    send()

    told = smtp_server.to(on_call.email)
    assert len(told) == 1
    assert not told[0]["Subject"].startswith("[PAGE]")


def test_the_acknowledgement_is_sent_whatever_the_reporter_chose(smtp_server, open_ticket, contact):
    notification_level_set(user=contact, level=Level.NONE)

    open_ticket()
    send()

    assert len(smtp_server.to(contact.email)) == 1


# --- support's side -------------------------------------------------------------------------------


def test_a_staff_reply_tells_the_reporter_and_named_contacts_each_in_their_language(
    smtp_server, open_ticket, contact, second_contact, colleague, engineer
):
    ticket = open_ticket(priority=Priority.P3)
    Notification.objects.all().delete()

    message_post(ticket=ticket, author=engineer, body="Please restart node 2.", now=LATER)
    send()

    assert addresses(smtp_server) == {contact.email, second_contact.email}  # not the colleague
    english = smtp_server.to(contact.email)[0]
    chinese = smtp_server.to(second_contact.email)[0]
    assert "Support replied" in english["Subject"]
    assert "Please restart node 2." in english.text
    assert "技术支持" in chinese["Subject"] or "回复" in chinese["Subject"]
    assert "Please restart node 2." in chinese.text
    assert engineer.email not in addresses(smtp_server)  # never the one who acted


def test_notifications_of_a_ticket_thread_under_its_first_mail(
    smtp_server, open_ticket, contact, engineer
):
    ticket = open_ticket(priority=Priority.P3)
    message_post(ticket=ticket, author=engineer, body="First.", now=LATER)
    message_post(ticket=ticket, author=engineer, body="Second.", now=LATER + timedelta(minutes=5))

    send()

    root = f"<ticket-{ticket.pk}@example.com>"
    messages = smtp_server.to(contact.email)
    assert len(messages) == 3
    ids = {m["Message-ID"] for m in messages}
    assert len(ids) == 3 and root in ids
    for mail in messages:
        if mail["Message-ID"] != root:
            assert mail["In-Reply-To"] == root
            assert mail["References"] == root
        assert mail["Reply-To"] == messages[0]["Reply-To"]


def test_a_logged_call_tells_the_customers(smtp_server, open_ticket, contact, engineer):
    ticket = open_ticket(priority=Priority.P3)
    Notification.objects.all().delete()

    call_log(ticket=ticket, by=engineer, summary="Called Li Lei: restart planned.", now=LATER)
    send()

    assert "Called Li Lei" in smtp_server.to(contact.email)[0].text


def test_an_internal_note_tells_nobody(open_ticket, engineer):
    ticket = open_ticket()
    Notification.objects.all().delete()

    message_post(ticket=ticket, author=engineer, body="TLS bug?", public=False, now=LATER)

    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("action", "event", "says"),
    [
        (
            lambda t, e: ticket_wait_for_customer(
                ticket=t, by=e, reason="Send the broker log.", now=LATER
            ),
            Event.WAITING,
            "Send the broker log.",
        ),
        (
            lambda t, e: ticket_restore(ticket=t, by=e, note="Workaround in place.", now=LATER),
            Event.RESTORED,
            "Workaround in place.",
        ),
        (
            lambda t, e: ticket_resolve(ticket=t, by=e, note="Fixed in 5.8.2.", now=LATER),
            Event.RESOLVED,
            "your reply reopens the ticket",
        ),
        (
            lambda t, e: ticket_downgrade(ticket=t, by=e, reason="Only staging.", now=LATER),
            Event.DOWNGRADED,
            "Only staging.",
        ),
    ],
)
def test_support_decisions_tell_the_customers_what_happened(
    smtp_server, open_ticket, contact, engineer, action, event, says
):
    ticket = answered(open_ticket, engineer)
    Notification.objects.all().delete()

    action(ticket, engineer)
    send()

    rows = Notification.objects.filter(event=event)
    assert {r.address for r in rows} == {contact.email}
    assert says in smtp_server.to(contact.email)[0].text


def test_a_proposed_time_links_to_the_accept_and_decline_buttons(
    smtp_server, open_ticket, contact, engineer
):
    ticket = answered(open_ticket, engineer)

    agreement_propose(
        ticket=ticket, by=engineer, due_at=sh(2026, 12, 4, 18, 0), reason="Patch", now=LATER
    )
    send()

    mail = next(m for m in smtp_server.to(contact.email) if "2026-12-04 18:00" in m["Subject"])
    assert f"/tickets/{ticket.pk}/#agreement" in mail.text
    assert "(Asia/Shanghai)" in mail["Subject"]


def test_a_customer_decision_tells_the_engineer_and_the_other_contacts(
    smtp_server, open_ticket, contact, second_contact, engineer
):
    ticket = answered(open_ticket, engineer)
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=LATER)
    agreement = agreement_propose(
        ticket=ticket, by=engineer, due_at=sh(2026, 12, 4, 18, 0), reason="Patch", now=LATER
    )
    Notification.objects.all().delete()

    agreement_accept(agreement=agreement, by=contact, now=LATER + timedelta(hours=1))

    rows = Notification.objects.filter(event=Event.AGREEMENT_ACCEPTED)
    assert {r.address for r in rows} == {engineer.email, second_contact.email}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACCEPTED


def test_a_declined_proposal_says_why(open_ticket, contact, engineer, on_call):
    ticket = answered(open_ticket, engineer)
    agreement = agreement_propose(
        ticket=ticket, by=engineer, due_at=sh(2026, 12, 4, 18, 0), reason="Patch", now=LATER
    )

    agreement_decline(agreement=agreement, by=contact, reason="Too late for us.", now=LATER)

    row = Notification.objects.get(event=Event.AGREEMENT_DECLINED, staff=True)
    assert row.params["text"] == "Too late for us."


def test_remote_sessions_tell_the_other_side(open_ticket, contact, engineer, on_call):
    ticket = answered(open_ticket, engineer, priority=Priority.P3)
    Notification.objects.all().delete()

    session = remote_session_request(
        ticket=ticket,
        by=contact,
        starts_at=sh(2026, 11, 24, 10, 0),
        project_context="3 nodes, 5.8.1",
        now=LATER,
    )
    requested = {r.address for r in Notification.objects.filter(event=Event.SESSION_REQUESTED)}
    remote_session_record(
        session=session, by=engineer, next_steps="Upgrade", follow_up="", now=sh(2026, 11, 24, 11)
    )
    recorded = {r.address for r in Notification.objects.filter(event=Event.SESSION_RECORDED)}

    assert requested == {on_call.email}  # nobody assigned: the engineer on call
    assert recorded == {contact.email}


def test_assignment_tells_the_engineer_unless_they_took_it_themselves(
    open_ticket, engineer, managers
):
    ticket = open_ticket(priority=Priority.P3)
    ticket_assign(ticket=ticket, engineer=engineer, by=managers[0], now=LATER)
    other = open_ticket(priority=Priority.P3)
    ticket_assign(ticket=other, engineer=engineer, by=engineer, now=LATER)

    rows = Notification.objects.filter(event=Event.ASSIGNED)
    assert [(r.ticket_id, r.address) for r in rows] == [(ticket.pk, engineer.email)]


def test_closing_tells_the_customers(open_ticket, contact, engineer):
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)

    ticket_close(ticket=ticket, by=engineer, now=LATER + timedelta(days=1))

    assert Notification.objects.filter(event=Event.CLOSED, address=contact.email).exists()


# --- the customer's side --------------------------------------------------------------------------


def test_a_customer_reply_tells_the_assigned_engineer_only(open_ticket, contact, engineer, on_call):
    ticket = answered(open_ticket, engineer, priority=Priority.P3)
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=LATER)
    Notification.objects.all().delete()

    message_post(ticket=ticket, author=contact, body="Logs attached.", now=LATER)

    rows = Notification.objects.filter(event=Event.CUSTOMER_REPLY)
    assert [r.address for r in rows] == [engineer.email]


def test_a_customer_reply_on_an_unassigned_ticket_goes_to_the_engineers_on_call(
    open_ticket, contact, engineer, on_call
):
    ticket = answered(open_ticket, engineer, priority=Priority.P3)
    Notification.objects.all().delete()

    message_post(ticket=ticket, author=contact, body="Any news?", now=LATER)

    assert [r.address for r in Notification.objects.all()] == [on_call.email]


def test_a_customer_reply_on_a_p1_pages_on_call_besides_the_engineer(
    open_ticket, contact, engineer, on_call
):
    ticket = answered(open_ticket, engineer, priority=Priority.P1)
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=LATER)
    Notification.objects.all().delete()

    message_post(ticket=ticket, author=contact, body="Down again!", now=LATER)

    rows = {r.address: r.urgency for r in Notification.objects.all()}
    assert rows == {on_call.email: 0, engineer.email: 2}


def test_a_colleague_who_is_no_named_contact_hears_nothing(open_ticket, colleague, engineer):
    ticket = answered(open_ticket, engineer, priority=Priority.P3)

    assert not Notification.objects.filter(address=colleague.email).exists()
    message_post(ticket=ticket, author=colleague, body="Me too.", now=LATER)
    assert not Notification.objects.filter(address=colleague.email).exists()


# --- levels and once-only -------------------------------------------------------------------------


def test_level_none_silences_everything_but_acknowledgements(open_ticket, contact, engineer):
    notification_level_set(user=contact, level=Level.NONE)
    ticket = answered(open_ticket, engineer)

    ticket_restore(ticket=ticket, by=engineer, now=LATER)

    events = set(Notification.objects.filter(address=contact.email).values_list("event", flat=True))
    assert events == {Event.OPENED}


def test_level_mine_keeps_only_the_tickets_one_reported(
    open_ticket, contact, second_contact, engineer
):
    notification_level_set(user=contact, level=Level.MINE)
    own = answered(open_ticket, engineer)
    other = answered(open_ticket, engineer, reporter=second_contact)

    tickets = set(
        Notification.objects.filter(address=contact.email, event=Event.STAFF_REPLY).values_list(
            "ticket_id", flat=True
        )
    )
    assert tickets == {own.pk}
    assert other.pk not in tickets


def test_an_event_written_twice_is_sent_once(open_ticket, contact, engineer):
    ticket = open_ticket(priority=Priority.P3)
    message = message_post(ticket=ticket, author=engineer, body="Hi", now=LATER)

    again = notify(
        Event.STAFF_REPLY, ticket=ticket, by=engineer, now=LATER, text="Hi", ref=message.pk
    )

    assert again == 1  # offered once more ...
    assert Notification.objects.filter(event=Event.STAFF_REPLY).count() == 1  # ... kept once


def test_a_request_writes_rows_and_sends_nothing(open_ticket, contact, engineer, mailoutbox):
    ticket = open_ticket(priority=Priority.P3)
    message_post(ticket=ticket, author=engineer, body="Hi", now=LATER)

    assert mailoutbox == []
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2


def test_a_user_of_another_customer_is_never_a_recipient(open_ticket, engineer):
    stranger = CustomerUserFactory()
    ticket = answered(open_ticket, engineer)
    message_post(ticket=ticket, author=engineer, body="Again", now=LATER)

    assert not Notification.objects.filter(address=stranger.email).exists()
    assert MONDAY < LATER
