"""The IMAP door of the e-mail channel: fetch unseen mail from IMAP_URL
(`imaps://user:password@host:993/INBOX`, or `imap://` without TLS), hand each message to the
ingest service, then mark it seen (or move it to IMAP_PROCESSED_FOLDER). A message the service
could not process stays unseen in place, its error recorded on its row in the admin, and is
tried again at the next poll. Connect and read time out after IMAP_TIMEOUT seconds."""

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from django.conf import settings
from imapclient import IMAPClient
from imapclient.imapclient import SocketTimeout

from tickets.mail.ingest import email_ingest
from tickets.notifications.models import InboundSource

logger = logging.getLogger(__name__)

SEEN = rb"\Seen"


@dataclass
class PollResult:
    fetched: int = 0
    processed: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str


def mailbox_from_url(url: str) -> Mailbox:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("IMAP_URL must look like imaps://user:password@host:993/INBOX")
    ssl = parts.scheme == "imaps"
    return Mailbox(
        host=parts.hostname,
        port=parts.port or (993 if ssl else 143),
        ssl=ssl,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _connect(box: Mailbox) -> IMAPClient:
    timeout = SocketTimeout(connect=min(10, settings.IMAP_TIMEOUT), read=settings.IMAP_TIMEOUT)
    client = IMAPClient(box.host, port=box.port, ssl=box.ssl, timeout=timeout)
    client.login(box.user, box.password)
    client.select_folder(box.folder)
    return client


def _done(client: IMAPClient, uids: list[int]) -> None:
    folder = settings.IMAP_PROCESSED_FOLDER
    if not uids:
        return
    if folder:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        client.move(uids, folder)
    else:
        client.add_flags(uids, [SEEN])


def imap_poll(*, url: str, now: datetime, limit: int = 500, batch: int = 50) -> PollResult:
    """Process up to `limit` unseen messages of the mailbox."""
    box = mailbox_from_url(url)
    result = PollResult()
    client = _connect(box)
    try:
        uids = sorted(client.search(["UNSEEN"]))[:limit]
        for start in range(0, len(uids), batch):
            chunk = uids[start : start + batch]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            processed = []
            for uid in chunk:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:
                    continue
                result.fetched += 1
                try:
                    email_ingest(raw=raw, source=InboundSource.IMAP, now=now)
                except Exception:  # recorded on the message's row; left in place for next time
                    logger.warning("IMAP message %s not processed", uid, exc_info=True)
                    result.failed += 1
                    continue
                processed.append(uid)
            _done(client, processed)
            result.processed += len(processed)
    finally:
        try:
            client.logout()
        except Exception:  # the connection is gone already
            logger.debug("IMAP logout failed", exc_info=True)
    return result
