"""The e-mail channel's service (tickets.mail.ingest) and its MTA-pipe door: replies, new
tickets, refusals answered once, loops and noise ignored, once per Message-ID."""

import io
import json
import sys
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from contracts.models import ContractStatus
from sla.models import Channel, Metric
from tests.factories import ContactFactory, ContractFactory, CustomerUserFactory
from tests.tickets.helpers import clocks_of
from tests.tickets.mail import samples
from tickets.mail.ingest import email_ingest
from tickets.models import Attachment, Message, Ticket, TicketStatus
from tickets.notifications import slots, threading
from tickets.notifications.models import Event, InboundEmail, InboundStatus, Notification
from tickets.notifications.sending import outbox_drain
from tickets.services import message_post, ticket_assign, ticket_close, ticket_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(slots, "queue_task"):
        yield


def ingest(raw: bytes, *, at=None):
    return email_ingest(raw=raw, source="pipe", now=at or timezone.now())


def reply_to(ticket, *, sender, text="Node 2 is back.", **kwargs):
    return samples.mail(
        sender=sender,
        to=threading.reply_address(ticket.pk),
        subject=f"Re: [#{ticket.pk}]",
        text=text,
        **kwargs,
    )


def send_outbox():
    return outbox_drain(clock=timezone.now, budget=30)


def answers():
    return Notification.objects.filter(inbound__isnull=False)


@pytest.fixture
def ticket(open_ticket):
    return open_ticket(now=timezone.now() - timedelta(hours=1), priority="P3")


# --- new tickets ----------------------------------------------------------------------------------


def test_a_named_contact_opens_a_p3_ticket_by_mail(contact, contract):
    result = ingest(samples.mail(sender=contact.email, subject="Cluster down"))

    ticket = Ticket.objects.get()
    assert result.as_json() == {
        "action": "opened",
        "ticket": ticket.pk,
        "message": None,
        "reason": "",
    }
    assert (ticket.contract, ticket.reporter, ticket.channel) == (contract, contact, Channel.EMAIL)
    assert (ticket.priority, ticket.subject) == ("P3", "Cluster down")
    assert "connection refused" in ticket.description
    assert Notification.objects.filter(event=Event.OPENED, address=contact.email).exists()


def test_the_subject_sets_the_priority(contact):
    ingest(samples.mail(sender=contact.email, subject="[P1] Cluster down"))

    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.subject) == ("P1", "Cluster down")


def test_a_contract_named_in_the_subject_is_chosen_among_several(contact, contract, version):
    other = ContractFactory(
        customer=contract.customer, products=[version.product], number="ACME-OPS"
    )
    ContactFactory(contract=other, user=contact)

    ingest(samples.mail(sender=contact.email, subject="[ACME-OPS] Disk full"))

    assert Ticket.objects.get().contract == other


def test_several_contracts_and_none_named_is_refused_with_the_list(contact, contract, version):
    other = ContractFactory(
        customer=contract.customer, products=[version.product], number="ACME-OPS"
    )
    ContactFactory(contract=other, user=contact)

    result = ingest(samples.mail(sender=contact.email, subject="Disk full"))

    assert (result.action, result.reason) == ("refused", "choose_contract")
    assert "ACME-OPS" in answers().get().params["contracts"]


def test_an_entitlement_refusal_is_answered_once_with_the_reason(contact, contract):
    contract.status = ContractStatus.SUSPENDED
    contract.save()
    raw = samples.mail(sender=contact.email)

    first = ingest(raw)
    again = ingest(raw)

    assert (first.action, first.reason) == ("refused", "suspended")
    assert (again.action, again.reason) == ("ignored", "duplicate")
    answer = answers().get()
    assert answer.event == Event.MAIL_REFUSED
    assert answer.address == contact.email
    assert "suspended" in answer.params["reason"]
    assert not Ticket.objects.exists()


def test_a_user_who_is_no_named_contact_is_refused(colleague, contract):
    result = ingest(samples.mail(sender=colleague.email))

    assert (result.action, result.reason) == ("refused", "not_named_contact")
    assert answers().count() == 1


def test_an_unknown_sender_gets_one_polite_answer_a_day(db):
    now = timezone.now()
    first = ingest(samples.mail(sender="someone@elsewhere.test"), at=now)
    second = ingest(samples.mail(sender="someone@elsewhere.test"), at=now + timedelta(hours=2))
    next_day = ingest(
        samples.mail(sender="someone@elsewhere.test"), at=now + timedelta(days=1, hours=1)
    )

    assert {first.reason, second.reason, next_day.reason} == {"unknown_sender"}
    assert answers().filter(event=Event.MAIL_UNKNOWN_SENDER).count() == 2


# --- replies --------------------------------------------------------------------------------------


def test_a_reply_to_the_token_address_becomes_a_public_message_without_the_quote(ticket, contact):
    raw = reply_to(ticket, sender=contact.email, text=samples.GMAIL_ZH_REPLY)

    result = ingest(raw)

    message = Message.objects.get(ticket=ticket)
    assert result.as_json() == {
        "action": "replied",
        "ticket": ticket.pk,
        "message": message.pk,
        "reason": "",
    }
    assert (message.author, message.public, message.body) == (
        contact,
        True,
        "重启之后恢复了，谢谢！",
    )


def test_a_reply_is_matched_by_references_too(ticket, contact):
    raw = samples.mail(
        sender=contact.email,
        text="Logs follow.",
        in_reply_to=threading.message_id(ticket.pk, 77),
        references=threading.thread_id(ticket.pk),
    )

    assert ingest(raw).action == "replied"
    assert Message.objects.get(ticket=ticket).body == "Logs follow."


def test_any_user_of_the_organisation_may_reply(ticket, colleague):
    assert ingest(reply_to(ticket, sender=colleague.email)).action == "replied"


def test_a_token_alone_never_lets_a_stranger_in(ticket):
    stranger = CustomerUserFactory()

    known = ingest(reply_to(ticket, sender=stranger.email))
    unknown = ingest(reply_to(ticket, sender="attacker@evil.test"))

    assert (known.action, known.reason) == ("refused", "not_allowed")
    assert (unknown.action, unknown.reason) == ("refused", "unknown_sender")
    assert not Message.objects.exists()


def test_a_forged_token_opens_nothing_on_that_ticket(ticket, contact):
    forged = f"support+t{ticket.pk}-0000000000000000@example.com"

    result = ingest(samples.mail(sender=contact.email, to=forged, subject="Hello"))

    assert result.action == "opened"  # a new ticket, not a reply on ticket
    assert not Message.objects.filter(ticket=ticket).exists()


def test_a_staff_reply_by_mail_is_the_first_response(ticket, engineer):
    ingest(reply_to(ticket, sender=engineer.email, text="Please restart node 2."))

    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert clocks_of(ticket)[Metric.RESPONSE].state == "met"
    assert Notification.objects.filter(event=Event.STAFF_REPLY).exists()


def test_a_reply_to_a_resolved_ticket_reopens_it_and_tells_the_engineer(ticket, contact, engineer):
    now = timezone.now()
    message_post(ticket=ticket, author=engineer, body="Fixed?", now=now - timedelta(minutes=30))
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=now - timedelta(minutes=25))
    ticket_resolve(ticket=ticket, by=engineer, now=now - timedelta(minutes=20))

    ingest(reply_to(ticket, sender=contact.email, text="Still broken."), at=now)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESTORED  # resolving counted as the restore
    assert ticket.resolved_at is None
    assert clocks_of(ticket)[Metric.FIX].state == "running"
    row = Notification.objects.get(event=Event.CUSTOMER_REPLY)
    assert (row.address, row.params["reopened"]) == (engineer.email, True)
    with mock.patch.object(slots, "drains_start"):
        send_outbox()
    [sent] = [m for m in mail.outbox if m.to == [engineer.email]]
    assert "reopened the resolved ticket" in sent.body


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(ticket, contact, engineer):
    now = timezone.now()
    message_post(ticket=ticket, author=engineer, body="Fixed?", now=now - timedelta(minutes=30))
    ticket_resolve(ticket=ticket, by=engineer, now=now - timedelta(minutes=20))
    ticket_close(ticket=ticket, by=engineer, now=now - timedelta(minutes=10))

    result = ingest(reply_to(ticket, sender=contact.email, text="It is back."), at=now)

    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert (result.action, result.reason, result.ticket) == ("opened", "follow_up", follow_up.pk)
    assert follow_up.follow_up_of == ticket
    assert follow_up.channel == Channel.EMAIL
    assert not Message.objects.filter(ticket=ticket, author=contact).exists()


def test_good_attachments_are_kept_and_refused_ones_named_in_an_answer(ticket, contact):
    raw = reply_to(
        ticket,
        sender=contact.email,
        attachments=[
            ("emqx.log", b"2026-11-23 10:00 error\n", "text/plain"),
            ("setup.exe", b"MZ\x90\x00", "application/octet-stream"),
        ],
    )

    assert ingest(raw).action == "replied"

    assert [a.name for a in Attachment.objects.filter(ticket=ticket)] == ["emqx.log"]
    answer = answers().get()
    assert answer.event == Event.MAIL_ATTACHMENTS_REFUSED
    assert "setup.exe" in answer.params["refused"][0]


# --- loops and noise ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ooo", "bounce"])
def test_auto_replies_and_bounces_are_recorded_and_never_answered(ticket, contact, kind):
    raw = (
        samples.out_of_office(sender=contact.email, to=threading.reply_address(ticket.pk))
        if kind == "ooo"
        else samples.bounce(to=threading.reply_address(ticket.pk))
    )

    result = ingest(raw)

    assert result.action == "ignored"
    assert not Message.objects.exists()
    assert not answers().exists()
    assert InboundEmail.objects.get().reason == result.reason


def test_a_message_id_is_processed_once(ticket, contact):
    raw = reply_to(ticket, sender=contact.email)

    first, second = ingest(raw), ingest(raw)

    assert first.action == "replied"
    assert (second.action, second.reason, second.message) == ("ignored", "duplicate", first.message)
    assert Message.objects.count() == 1


def test_a_sender_is_rate_limited(settings, ticket, contact):
    settings.INGEST_RATE_LIMIT_PER_HOUR = 3
    results = [ingest(reply_to(ticket, sender=contact.email, text=f"Update {n}")) for n in range(5)]

    assert [r.action for r in results] == ["replied"] * 3 + ["ignored"] * 2
    assert results[-1].reason == "rate_limited"


def test_an_unexpected_error_is_recorded_and_raised_and_the_message_can_come_again(ticket, contact):
    raw = reply_to(ticket, sender=contact.email)

    failing = mock.patch("tickets.mail.ingest.message_post", side_effect=RuntimeError("disk full"))
    with failing, pytest.raises(RuntimeError):
        ingest(raw)
    failed = InboundEmail.objects.get()
    assert (failed.status, "disk full" in failed.detail) == (InboundStatus.FAILED, True)

    assert ingest(raw).action == "replied"
    done = InboundEmail.objects.get()
    assert (done.status, done.attempts) == (InboundStatus.PROCESSED, 2)


# --- the MTA pipe ------------------------------------------------------------------------------


def test_the_pipe_command_reads_stdin_and_prints_one_json_line(ticket, contact, monkeypatch):
    raw = reply_to(ticket, sender=contact.email)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()

    call_command("ingest_email", stdout=out)

    line = json.loads(out.getvalue())
    assert line["action"] == "replied"
    assert line["ticket"] == ticket.pk
    assert line["message"] == Message.objects.get().pk
