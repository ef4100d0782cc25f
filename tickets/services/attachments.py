"""Attachments: logs and archives, checked by extension and content, stored privately."""

import codecs
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from tickets.models import Attachment, Message, Ticket
from tickets.services.checks import require_not_closed
from tickets.services.errors import TicketError
from tickets.services.locks import lock_ticket
from tickets.services.permissions import require_participant

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP = (b"\x1f\x8b",)
_SEVEN_Z = (b"7z\xbc\xaf\x27\x1c",)
_PDF = (b"%PDF-",)
_PNG = (b"\x89PNG\r\n\x1a\n",)
_JPEG = (b"\xff\xd8\xff",)
TEXT = "text"
TAR = "tar"

# extension -> (stored content type, magic prefixes, or TEXT / TAR for the other checks)
ALLOWED_TYPES: dict[str, tuple[str, object]] = {
    ".log": ("text/plain", TEXT),
    ".txt": ("text/plain", TEXT),
    ".conf": ("text/plain", TEXT),
    ".json": ("application/json", TEXT),
    ".yaml": ("application/yaml", TEXT),
    ".yml": ("application/yaml", TEXT),
    ".csv": ("text/csv", TEXT),
    ".gz": ("application/gzip", _GZIP),
    ".tgz": ("application/gzip", _GZIP),
    ".tar": ("application/x-tar", TAR),
    ".zip": ("application/zip", _ZIP),
    ".7z": ("application/x-7z-compressed", _SEVEN_Z),
    ".pdf": ("application/pdf", _PDF),
    ".png": ("image/png", _PNG),
    ".jpg": ("image/jpeg", _JPEG),
    ".jpeg": ("image/jpeg", _JPEG),
}
_SAMPLE = 64 * 1024
# C0 controls that do not occur in text files (tab, newlines, form feed and ESC do).
_CONTROL = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27}) + b"\x7f"


@dataclass(frozen=True)
class CheckedFile:
    file: object
    name: str
    content_type: str
    size: int


def _head(file, size: int) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


def _is_text(file) -> bool:
    """No NUL byte anywhere, and the start decodes as UTF-8, or as latin-1 without controls."""
    for chunk in file.chunks():
        if b"\x00" in chunk:
            return False
    sample = _head(file, _SAMPLE)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        return not any(byte in _CONTROL for byte in sample)


def _content_matches(file, kind) -> bool:
    if kind == TEXT:
        return _is_text(file)
    if kind == TAR:
        return _head(file, 263)[257:262] == b"ustar"
    head = _head(file, 16)
    return any(head.startswith(magic) for magic in kind)


# The name shown and offered on download; the stored file has a generated name.
SHOWN_NAME_MAX = 150


def shown_name(raw: str) -> str:
    """The file's own name, made safe (no path, no odd characters) and at most SHOWN_NAME_MAX
    characters: a longer name keeps its start and its extension, with "…" between."""
    try:
        name = get_valid_filename(os.path.basename(raw.replace("\x00", ""))) if raw else ""
    except SuspiciousFileOperation:
        return ""
    if len(name) <= SHOWN_NAME_MAX:
        return name
    stem, extension = os.path.splitext(name)
    extension = extension[:16]
    return f"{stem[: SHOWN_NAME_MAX - len(extension) - 1]}…{extension}"


def stored_name(name: str) -> str:
    """A random file name with the (checked) extension: a customer's file name is never a
    path on the server, whatever its length in bytes or its characters."""
    return f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()[:16]}"


def attachment_check(file) -> CheckedFile:
    """Refuse a file that is too big, empty, of a type we do not take, or whose content does
    not match its extension. Nothing is written."""
    name = shown_name(file.name or "")
    size = file.size or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise TicketError(
            _("%(name)s is too big (%(size)s); the limit is %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            code="attachment_too_big",
            field="attachments",
        )
    if size == 0 or not name:
        raise TicketError(
            _("%(name)s is empty.") % {"name": name or "?"},
            code="attachment_empty",
            field="attachments",
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise TicketError(
            _("%(name)s: this type of file is not accepted. Send logs and archives: %(types)s.")
            % {"name": name, "types": " ".join(sorted(ALLOWED_TYPES))},
            code="attachment_type",
            field="attachments",
        )
    content_type, kind = ALLOWED_TYPES[extension]
    if not _content_matches(file, kind):
        raise TicketError(
            _("%(name)s does not contain what its extension says (%(extension)s).")
            % {"name": name, "extension": extension},
            code="attachment_content",
            field="attachments",
        )
    return CheckedFile(file=file, name=name, content_type=content_type, size=size)


def attachments_store(
    *,
    ticket: Ticket,
    files: Iterable,
    by,
    now: datetime,
    message: Message | None = None,
) -> list[Attachment]:
    """Check every file first, then store them. Called inside the caller's transaction; files
    already written are removed again when a later one fails to store."""
    checked = [attachment_check(f) for f in files]
    stored: list[Attachment] = []
    try:
        for item in checked:
            attachment = Attachment(
                ticket=ticket,
                message=message,
                name=item.name,
                size=item.size,
                content_type=item.content_type,
                uploaded_by=by,
                uploaded_at=now,
            )
            item.file.seek(0)
            attachment.file.save(stored_name(item.name), item.file, save=False)
            attachment.save()
            stored.append(attachment)
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def attachment_add(
    *, ticket: Ticket, file, by, now: datetime, message: Message | None = None
) -> Attachment:
    """Add one log or archive to a ticket (or to one of its messages)."""
    ticket = lock_ticket(ticket)
    require_participant(by, ticket)
    require_not_closed(ticket)
    if message is not None and message.ticket_id != ticket.pk:
        raise TicketError(_("This message belongs to another ticket."), code="invalid")
    return attachments_store(ticket=ticket, files=[file], by=by, now=now, message=message)[0]
