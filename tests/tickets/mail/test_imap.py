"""The IMAP door against a real Dovecot (started by the `dovecot` fixture on a free port): mail
is fetched, processed once, marked seen or moved; a message that fails stays in place, its
error in the admin, and is tried again."""

from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tickets.mail import samples
from tickets import tasks
from tickets.mail.imap import imap_poll, mailbox_from_url
from tickets.models import Message, Ticket
from tickets.notifications import slots, threading
from tickets.notifications.models import InboundEmail, InboundStatus

pytestmark = [pytest.mark.imap, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(slots, "queue_task"):
        yield


def unseen(dovecot, folder="INBOX") -> list[int]:
    client = dovecot.client()
    try:
        client.select_folder(folder)
        return client.search(["UNSEEN"])
    finally:
        client.logout()


def count(dovecot, folder) -> int:
    client = dovecot.client()
    try:
        return client.select_folder(folder)[b"EXISTS"]
    finally:
        client.logout()


def test_the_url_names_server_account_and_folder():
    box = mailbox_from_url("imaps://support%40example.com:p%40ss@imap.example.com/Support")

    assert (box.host, box.port, box.ssl) == ("imap.example.com", 993, True)
    assert (box.user, box.password, box.folder) == ("support@example.com", "p@ss", "Support")


def test_new_mail_and_replies_are_processed_and_marked_seen(dovecot, open_ticket, contact):
    ticket = open_ticket(priority="P3")
    dovecot.deliver(
        samples.mail(sender=contact.email, subject="[P2] Disk full", text=samples.OUTLOOK_ZH_REPLY),
        samples.mail(
            sender=contact.email, to=threading.reply_address(ticket.pk), text=samples.QQ_REPLY
        ),
        samples.out_of_office(sender=contact.email),
    )

    result = imap_poll(url=dovecot.url, now=timezone.now())

    assert (result.fetched, result.processed, result.failed) == (3, 3, 0)
    assert Ticket.objects.filter(subject="Disk full", priority="P2").exists()
    assert Message.objects.get(ticket=ticket).body == "日志已附上，请查收。"
    assert unseen(dovecot) == []
    assert imap_poll(url=dovecot.url, now=timezone.now()).fetched == 0


def test_processed_mail_is_moved_when_a_folder_is_set(settings, dovecot, contact):
    settings.IMAP_PROCESSED_FOLDER = "Processed"
    dovecot.deliver(samples.mail(sender=contact.email))

    imap_poll(url=dovecot.url, now=timezone.now())

    assert count(dovecot, "INBOX") == 0
    assert count(dovecot, "Processed") == 1


def test_a_message_that_fails_stays_unseen_with_its_error_in_the_admin(
    dovecot, contact, client, manager
):
    dovecot.deliver(samples.mail(sender=contact.email, subject="Boom"))

    with mock.patch("tickets.mail.ingest.ticket_open", side_effect=RuntimeError("db hiccup")):
        failed = imap_poll(url=dovecot.url, now=timezone.now())

    assert (failed.fetched, failed.failed) == (1, 1)
    assert len(unseen(dovecot)) == 1
    record = InboundEmail.objects.get()
    assert record.status == InboundStatus.FAILED
    client.force_login(manager)
    page = client.get(reverse("admin:notifications_inboundemail_changelist"))
    assert "db hiccup" in page.content.decode()

    again = imap_poll(url=dovecot.url, now=timezone.now())

    assert (again.processed, again.failed) == (1, 0)
    assert unseen(dovecot) == []
    assert Ticket.objects.filter(subject="Boom").exists()


def test_a_message_seen_twice_is_processed_once(dovecot, contact):
    raw = samples.mail(sender=contact.email, subject="Once")
    dovecot.deliver(raw, raw)

    result = imap_poll(url=dovecot.url, now=timezone.now())

    assert result.processed == 2  # both handled and marked seen ...
    assert Ticket.objects.filter(subject="Once").count() == 1  # ... one ticket


def test_the_beat_task_polls_only_when_imap_url_is_set(settings, dovecot, contact):
    settings.IMAP_URL = ""
    assert tasks.poll_mailbox() == {"skipped": "IMAP_URL is not set"}

    settings.IMAP_URL = dovecot.url
    dovecot.deliver(samples.mail(sender=contact.email))
    assert tasks.poll_mailbox() == {"fetched": 1, "processed": 1, "failed": 0}


def test_a_wrong_password_fails_fast_and_loudly(settings, dovecot):
    url = dovecot.url.replace(dovecot.password, "wrong")

    with pytest.raises(Exception, match=r"(?i)auth"):
        imap_poll(url=url, now=timezone.now())
