"""Recount the SLA report's figures from the whole history (after a bulk load or a restore)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tickets.sla.figures import sla_figures_refresh


class Command(BaseCommand):
    help = "Recount every month of the SLA report from the tickets and their clocks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help="Recount only the months that changes marked stale (what beat does).",
        )

    def handle(self, *args, stale_only: bool = False, **options):
        result = sla_figures_refresh(now=timezone.now(), full=not stale_only)
        self.stdout.write(f"{result.months} months, {result.rows} rows recounted.")
