"""Import one year of a country's public holidays and make-up working days into a calendar."""

from django.core.management.base import BaseCommand, CommandError

from sla.services import SlaError, calendar_import_year


class Command(BaseCommand):
    help = "Import a year of holidays for a country from the holidays library into a calendar."

    def add_arguments(self, parser):
        parser.add_argument("--country", required=True, help="ISO country code, e.g. CN")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--calendar",
            default="",
            help="calendar code (default: the country code; created if missing)",
        )

    def handle(self, *args, **options):
        try:
            calendar, count = calendar_import_year(
                year=options["year"], code=options["calendar"], country=options["country"]
            )
        except SlaError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{calendar.code} {options['year']}: {count} days imported.")
