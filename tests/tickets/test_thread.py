"""The thread: what counts as the first response, internal notes, logged calls, customer
replies, and attachments (size, type, content; nothing written when refused)."""

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ServiceError
from sla.models import Metric
from tests.factories import PartnerUserFactory
from tests.tickets.helpers import clocks_of, sh
from tickets.models import Attachment, Message, MessageKind, SlaState, Ticket, TicketStatus
from tickets.services import (
    attachment_add,
    call_log,
    message_post,
    ticket_resolve,
    ticket_wait_for_customer,
)

pytestmark = pytest.mark.django_db
REPLY_AT = sh(2026, 11, 23, 10, 30)


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_first_public_staff_reply_meets_the_response_clock(open_ticket, engineer):
    ticket = open_ticket()

    message_post(ticket=ticket, author=engineer, body="Looking at it now.", now=REPLY_AT)

    ticket.refresh_from_db()
    response = clocks_of(ticket)[Metric.RESPONSE]
    assert response.state == SlaState.MET
    assert response.met_at == REPLY_AT
    assert ticket.first_response_at == REPLY_AT
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_an_internal_note_is_not_a_response(open_ticket, engineer):
    ticket = open_ticket()

    note = message_post(
        ticket=ticket, author=engineer, body="Probably the TLS bug.", public=False, now=REPLY_AT
    )

    ticket.refresh_from_db()
    assert note.kind == MessageKind.NOTE
    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.RUNNING
    assert ticket.first_response_at is None
    assert ticket.status == TicketStatus.NEW


def test_a_customer_reply_is_not_a_response(open_ticket, contact):
    ticket = open_ticket()

    message_post(ticket=ticket, author=contact, body="Any news?", now=REPLY_AT)

    ticket.refresh_from_db()
    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.RUNNING
    assert ticket.first_response_at is None


def test_customers_cannot_write_internal_notes(open_ticket, contact):
    with pytest.raises(ServiceError) as refused:
        message_post(ticket=open_ticket(), author=contact, body="x", public=False, now=REPLY_AT)

    assert refused.value.code == "forbidden"


def test_a_logged_call_meets_the_response_clock(open_ticket, engineer):
    ticket = open_ticket()

    call = call_log(ticket=ticket, by=engineer, summary="Called Li Lei.", now=REPLY_AT)

    ticket.refresh_from_db()
    assert call.kind == MessageKind.CALL
    assert clocks_of(ticket)[Metric.RESPONSE].met_at == REPLY_AT
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_only_the_first_response_counts(open_ticket, engineer):
    ticket = open_ticket()
    message_post(ticket=ticket, author=engineer, body="First.", now=REPLY_AT)

    message_post(ticket=ticket, author=engineer, body="Second.", now=sh(2026, 11, 23, 11, 0))

    ticket.refresh_from_db()
    assert ticket.first_response_at == REPLY_AT
    assert clocks_of(ticket)[Metric.RESPONSE].met_at == REPLY_AT


def test_a_late_first_response_is_a_breach(open_ticket, engineer):
    ticket = open_ticket()

    message_post(ticket=ticket, author=engineer, body="Sorry.", now=sh(2026, 11, 23, 12, 30))

    ticket.refresh_from_db()
    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.BREACHED
    assert ticket.sla_state == "breached"


def test_partners_and_outsiders_cannot_post(open_ticket, contract):
    ticket = open_ticket()
    partner_user = PartnerUserFactory()

    with pytest.raises(ServiceError) as refused:
        message_post(ticket=ticket, author=partner_user, body="Hello", now=REPLY_AT)
    assert refused.value.code == "forbidden"


def test_a_closed_ticket_takes_no_messages(open_ticket, engineer, contact):
    ticket = open_ticket()
    message_post(ticket=ticket, author=engineer, body="Fixed.", now=REPLY_AT)
    ticket_resolve(ticket=ticket, by=engineer, now=REPLY_AT)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)

    with pytest.raises(ServiceError) as refused:
        message_post(ticket=ticket, author=contact, body="Again", now=REPLY_AT)
    assert refused.value.code == "ticket_closed"


def test_a_customer_reply_ends_the_wait(open_ticket, engineer, contact):
    ticket = open_ticket()
    message_post(ticket=ticket, author=engineer, body="Send logs.", now=REPLY_AT)
    ticket_wait_for_customer(ticket=ticket, by=engineer, reason="Logs", now=REPLY_AT)

    message_post(ticket=ticket, author=contact, body="Here.", now=sh(2026, 11, 23, 11, 30))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert clocks_of(ticket)[Metric.RESTORE].state == SlaState.RUNNING


# --- attachments ------------------------------------------------------------------------------


def gz_file(name="broker.log.gz") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, gzip.compress(b"2026-11-23 09:40 connection refused\n"))


def zip_file(name="logs.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("emqx.log", "connection refused\n")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_logs_and_archives_are_stored_privately(open_ticket, contact):
    ticket = open_ticket(
        attachments=[
            gz_file(),
            zip_file(),
            SimpleUploadedFile("emqx.conf", b"listeners.tcp.default = 1883\n"),
            SimpleUploadedFile("notes.txt", "connexion refusée à 09:40\n".encode("latin-1")),
        ]
    )

    files = list(Attachment.objects.filter(ticket=ticket).order_by("pk"))
    assert [(f.name, f.content_type) for f in files] == [
        ("broker.log.gz", "application/gzip"),
        ("logs.zip", "application/zip"),
        ("emqx.conf", "text/plain"),
        ("notes.txt", "text/plain"),
    ]
    assert files[0].uploaded_by == contact
    # Under the private root, which no URL serves (downloads go through views that check).
    assert sorted(p.name for p in stored_files()) == sorted(
        f.file.name.split("/")[-1] for f in files
    )


def test_attachments_of_a_message_belong_to_it(open_ticket, engineer):
    ticket = open_ticket()

    message = message_post(
        ticket=ticket, author=engineer, body="Patch.", attachments=[zip_file()], now=REPLY_AT
    )

    assert message.attachments.get().ticket == ticket


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary"), "attachment_type"),
        (SimpleUploadedFile("logs.zip", b"just text, not a zip"), "attachment_content"),
        (SimpleUploadedFile("broker.log", b"line\x00with a NUL"), "attachment_content"),
        (SimpleUploadedFile("shot.png", b"\xff\xd8\xff\xe0 a jpeg"), "attachment_content"),
        (SimpleUploadedFile("empty.log", b""), "attachment_empty"),
    ],
)
def test_refused_files_leave_nothing_written(open_ticket, upload, code):
    with pytest.raises(ServiceError) as refused:
        open_ticket(attachments=[gz_file(), upload])

    assert refused.value.code == code
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_a_file_above_the_size_limit_is_refused(open_ticket, engineer, settings):
    ticket = open_ticket()
    settings.ATTACHMENT_MAX_BYTES = 16

    with pytest.raises(ServiceError) as refused:
        message_post(
            ticket=ticket,
            author=engineer,
            body="See attached.",
            attachments=[SimpleUploadedFile("big.log", b"x" * 17)],
            now=REPLY_AT,
        )

    assert refused.value.code == "attachment_too_big"
    assert not Message.objects.exists()
    assert stored_files() == []
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_attachment_add_on_its_own(open_ticket, contact):
    ticket = open_ticket()

    attachment = attachment_add(ticket=ticket, file=gz_file(), by=contact, now=REPLY_AT)

    assert attachment.message is None
    assert attachment.size == gz_file().size
