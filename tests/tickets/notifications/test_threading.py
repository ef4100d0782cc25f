"""The ticket's thread ids and the signed reply address that the e-mail channel reads back."""

import socket
import threading
import time

import pytest

from tests.factories import ManagerFactory
from tests.tickets.notifications.conftest import send
from tests.tickets.sla.factories import TicketFactory
from tickets.notifications import threading as mail_threading
from tickets.notifications.events import notify
from tickets.notifications.models import Notification


def test_a_reply_address_names_its_ticket_and_nothing_else():
    address = mail_threading.reply_address(42)

    assert address.startswith("support+t42-") and address.endswith("@example.com")
    assert mail_threading.ticket_from_address(address) == 42
    assert mail_threading.ticket_from_address(address.upper()) == 42  # case of the MTA
    assert mail_threading.ticket_from_address(address.replace("t42-", "t43-")) is None
    assert mail_threading.ticket_from_address("support@example.com") is None
    assert mail_threading.ticket_from_address(address.replace("example.com", "evil.test")) is None


def test_the_token_depends_on_the_secret_key(settings):
    before = mail_threading.reply_address(7)
    settings.SECRET_KEY = "another-secret"

    assert mail_threading.reply_address(7) != before
    assert mail_threading.ticket_from_address(before) is None


def test_references_name_the_ticket_of_our_own_message_ids_only():
    ours = mail_threading.message_id(12, 99)

    assert mail_threading.ticket_from_references("", f"<a@b.c> {ours}") == 12
    assert mail_threading.ticket_from_references(mail_threading.thread_id(5)) == 5
    assert mail_threading.ticket_from_references("<ticket-12@elsewhere.test>") is None


@pytest.mark.django_db
def test_a_hung_mail_server_fails_the_delivery_within_the_timeout(settings):
    """The SMTP server accepts the connection and never answers (as under SIGSTOP): the
    delivery fails after EMAIL_TIMEOUT and is retried later; nothing waits for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ticket = TicketFactory()
    ManagerFactory()
    notify("opened", ticket=ticket, by=ticket.reporter, now=ticket.opened_at, ref=ticket.pk)

    started = time.monotonic()
    result = send()
    elapsed = time.monotonic() - started

    listener.close()
    assert result.failed >= 1 and result.sent == 0
    assert elapsed < 10
    assert "timed out" in Notification.objects.filter(attempts=1).first().last_error.lower()
