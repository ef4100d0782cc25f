"""The e-mail channel's throughput and what notifications cost a portal reply.

    python bench/ingest.py [--short] [--messages 1000] [--replies 200] [--database-url ...]

1. Starts a private Dovecot (Debian's dovecot-imapd, its own configuration in a temporary
   folder, a free port), appends `--messages` real-looking messages (replies by token from
   Chinese and English clients, new tickets, out-of-office auto-replies) and times one IMAP poll
   (`tickets.mail.imap.imap_poll`): fetched, processed, messages per second.
2. Posts `--replies` customer replies through the portal's reply form (Django's test client, the
   whole request, after-commit work included) with notifications on, then with them off
   (`notify` replaced by a no-op), and prints p50/p95 of each.

It works in a database of its own: a temporary SQLite file, or `<name>_ingest` on the server of
`--database-url` (default $DATABASE_URL when it is PostgreSQL), made anew.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="200 messages, 50 replies (CI)")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if args.short:
        args.messages, args.replies = 200, 50
    return args


def database(url: str, workdir: Path) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        return f"sqlite:///{workdir / 'ingest.sqlite3'}"
    import psycopg

    name = (parsed.path.lstrip("/") or "support_portal") + "_ingest"
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ingest-bench-", dir="/tmp"))
    workdir.chmod(0o755)  # Dovecot's unprivileged processes read below it
    url = database(args.database_url, workdir)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "DJANGO_VAR_DIR": str(workdir / "var"),
            "EMAIL_URL": "dummymail://",
            "INGEST_RATE_LIMIT_PER_HOUR": "100000",
            "LOG_LEVEL": "WARNING",
            "AXES_ENABLED": "false",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from tests.factories import ContactFactory, ContractFactory, VersionFactory
    from tests.servers import DOVECOT, Dovecot
    from tests.tickets.helpers import ticket_opener
    from tests.tickets.mail import samples
    from tickets.mail.imap import imap_poll
    from tickets.notifications import threading
    from tickets.notifications.models import InboundEmail, Notification

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    version = VersionFactory()
    contract = ContractFactory(products=[version.product])
    senders = [ContactFactory(contract=contract).user for _ in range(20)]
    ticket = ticket_opener(contract, senders[0], version)(priority="P3", now=timezone.now())
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"== database {engine}, load average {os.getloadavg()[0]:.2f}")

    if not DOVECOT:
        print("Dovecot is not installed (apt-get install dovecot-imapd): IMAP part skipped")
    else:
        bodies = [samples.GMAIL_ZH_REPLY, samples.QQ_REPLY, samples.OUTLOOK_EN_REPLY,
                  samples.FOXMAIL_REPLY, samples.SIGNATURE_REPLY]  # fmt: skip
        messages = []
        for n in range(args.messages):
            sender = senders[n % len(senders)].email
            kind = n % 10
            if kind < 6:
                raw = samples.mail(
                    sender=sender,
                    to=threading.reply_address(ticket.pk),
                    subject=f"Re: [#{ticket.pk}] update {n}",
                    text=bodies[n % len(bodies)],
                )
            elif kind < 9:
                raw = samples.mail(sender=sender, subject=f"[P3] new problem {n}")
            else:
                raw = samples.out_of_office(sender=sender)
            messages.append(raw)
        dovecot = Dovecot(workdir / "dovecot").start()
        try:
            started = time.perf_counter()
            dovecot.deliver(*messages)
            appended = time.perf_counter() - started
            started = time.perf_counter()
            result = imap_poll(url=dovecot.url, now=timezone.now(), limit=args.messages)
            elapsed = time.perf_counter() - started
        finally:
            dovecot.stop()
        outcomes = dict(InboundEmail.objects.values_list("action").annotate(n=Count("pk")))
        print(f"== IMAP: {args.messages} messages appended in {appended:.1f} s")
        print(
            f"   one poll: fetched {result.fetched}, processed {result.processed}, "
            f"failed {result.failed} in {elapsed:.1f} s = {result.processed / elapsed:.1f} "
            f"messages/s; outcomes {outcomes}; outbox rows written {Notification.objects.count()}"
        )

    client = Client()
    client.force_login(senders[1])
    path = f"/tickets/{ticket.pk}/reply/"

    def replies(count: int) -> list[float]:
        times = []
        for n in range(count):
            started = time.perf_counter()
            response = client.post(path, {"body": f"Reply {n}"})
            times.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
        return times

    replies(5)  # warm up
    with_notifications = replies(args.replies)
    with mock.patch("tickets.services.messages.notify"):
        without = replies(args.replies)
    for label, times in (("notifications on", with_notifications), ("notifications off", without)):
        print(
            f"== portal reply, {label}: p50 {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {pct(times, 95) * 1000:.1f} ms ({len(times)} replies)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
