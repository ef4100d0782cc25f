"""`manage.py ingest_email < message.eml`: the MTA pipe door of the e-mail channel. Reads one
RFC 822 message on standard input, prints one line of JSON:

    {"action": "replied"|"opened"|"refused"|"ignored", "ticket": 12, "message": 34, "reason": "..."}

Exits 0 whenever the message was dealt with (a refusal too: an MTA would bounce on anything
else), and 75 (EX_TEMPFAIL: the MTA keeps the message and tries again) on an unexpected error."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from tickets.mail.ingest import email_ingest
from tickets.notifications.models import InboundSource

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Process one e-mail read on standard input (for an MTA pipe); prints one JSON line."

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        try:
            result = email_ingest(raw=raw, source=InboundSource.PIPE, now=timezone.now())
        except Exception as exc:
            self.stdout.write(
                json.dumps(
                    {
                        "action": "error",
                        "ticket": None,
                        "message": None,
                        "reason": type(exc).__name__,
                    }
                )
            )
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
