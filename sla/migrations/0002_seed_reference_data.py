"""Seed what a new installation starts with (docs/spec.md "Tiers" and "SLA targets"): the two tiers,
the full target matrix, and the CN (2025-2027, from the holidays library) and NONE calendars."""

from django.db import migrations

TIERS = [
    # code, name, hours ("" = always open), channels, named-contact cap
    ("5x8", "5x8", "mon-fri 09:00-18:00", ["portal", "qq", "wechat", "email"], 1),
    ("7x24", "7x24", "", ["portal", "phone", "qq", "wechat", "skype", "email"], 2),
]

# (tier, priority) -> (response h, restore h, fix days); None = no target
TARGETS = {
    ("5x8", "P1"): (2, 8, 50),
    ("5x8", "P2"): (4, 72, 100),
    ("5x8", "P3"): (24, None, 150),
    ("5x8", "P4"): (48, None, None),
    ("7x24", "P1"): (1, 8, 15),
    ("7x24", "P2"): (2, 48, 30),
    ("7x24", "P3"): (24, 120, 60),
    ("7x24", "P4"): (48, None, None),
}


def seed(apps, schema_editor):
    from sla.holiday_data import day_rows

    Tier = apps.get_model("sla", "Tier")
    Target = apps.get_model("sla", "Target")
    HolidayCalendar = apps.get_model("sla", "HolidayCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")

    tiers = {}
    for code, name, hours, channels, cap in TIERS:
        tiers[code], _ = Tier.objects.get_or_create(
            code=code,
            defaults={"name": name, "hours": hours, "channels": channels, "max_named_contacts": cap},
        )
    for (tier, priority), amounts in TARGETS.items():
        for metric, amount, unit in zip(
            ("response", "restore", "fix"), amounts, ("hours", "hours", "days"), strict=True
        ):
            Target.objects.get_or_create(
                tier=tiers[tier],
                priority=priority,
                metric=metric,
                defaults={"amount": amount, "unit": unit},
            )

    HolidayCalendar.objects.get_or_create(
        code="NONE", defaults={"name": "No public holidays (weekends only)", "country": ""}
    )
    cn, created = HolidayCalendar.objects.get_or_create(
        code="CN", defaults={"name": "Mainland China", "country": "CN"}
    )
    if created:
        CalendarDay.objects.bulk_create(
            CalendarDay(calendar=cn, date=row.date, kind=row.kind, name=row.name[:200])
            for year in (2025, 2026, 2027)
            for row in day_rows("CN", year)
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
