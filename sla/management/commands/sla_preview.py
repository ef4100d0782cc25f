"""Print the clock start and due times a ticket would get, as one JSON object."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from sla.selectors import sla_preview
from sla.services import SlaError


class Command(BaseCommand):
    help = "Preview the SLA due times of a ticket (support managers use it to check targets)."

    def add_arguments(self, parser):
        parser.add_argument("--tier", required=True, help="5x8 or 7x24")
        parser.add_argument("--priority", required=True, help="P1..P4")
        parser.add_argument("--opened-at", required=True, help="ISO time; no offset = local time")
        parser.add_argument("--timezone", required=True, help="IANA zone, e.g. Asia/Shanghai")
        parser.add_argument("--calendar", default="NONE", help="holiday calendar code")
        parser.add_argument("--hours", default="", help="agreed weekly hours pattern")

    def handle(self, *args, **options):
        # English for as long as the command runs, not for whatever the process does next.
        with translation.override("en"):
            try:
                result = sla_preview(
                    tier=options["tier"],
                    priority=options["priority"],
                    opened_at=options["opened_at"],
                    timezone=options["timezone"],
                    calendar=options["calendar"],
                    hours=options["hours"],
                )
            except SlaError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result))
