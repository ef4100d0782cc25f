"""The reference data a new installation starts with, and the holiday calendar tools."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from sla.models import CalendarDay, HolidayCalendar, Target, Tier
from sla.services import build_schedule
from tests.factories import ManagerFactory

SPEC_MATRIX = {
    # (tier, priority): (response h, restore h, fix days)
    ("5x8", "P1"): (2, 8, 50),
    ("5x8", "P2"): (4, 72, 100),
    ("5x8", "P3"): (24, None, 150),
    ("5x8", "P4"): (48, None, None),
    ("7x24", "P1"): (1, 8, 15),
    ("7x24", "P2"): (2, 48, 30),
    ("7x24", "P3"): (24, 120, 60),
    ("7x24", "P4"): (48, None, None),
}

pytestmark = pytest.mark.django_db


def test_tiers_have_the_spec_hours_channels_and_contact_caps():
    five, seven = Tier.objects.get(code="5x8"), Tier.objects.get(code="7x24")
    assert five.hours == "mon-fri 09:00-18:00"
    assert seven.always_open
    assert set(five.channels) == {"portal", "qq", "wechat", "email"}
    assert set(seven.channels) == {"portal", "phone", "qq", "wechat", "skype", "email"}
    assert (five.max_named_contacts, seven.max_named_contacts) == (1, 2)


def test_target_matrix_is_seeded_as_in_the_spec():
    seeded = {}
    for t in Target.objects.select_related("tier"):
        seeded.setdefault((t.tier.code, t.priority), {})[t.metric] = (t.amount, t.unit)
    assert len(seeded) == 8
    for key, (response, restore, fix) in SPEC_MATRIX.items():
        cells = seeded[key]
        assert cells["response"] == (response, "hours")
        assert cells["restore"][0] == restore
        assert cells["fix"] == (fix, "days") if fix else cells["fix"][0] is None


def test_cn_calendar_has_2026_makeup_days_and_spring_festival():
    cn = HolidayCalendar.objects.get(code="CN")
    workdays = set(cn.days.filter(kind="workday", date__year=2026).values_list("date", flat=True))
    assert workdays == {
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
        date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
    }  # fmt: skip
    holidays = set(cn.days.filter(kind="holiday").values_list("date", flat=True))
    for day in (16, 17, 18, 19, 20, 23):
        assert date(2026, 2, day) in holidays
    assert {d.year for d in holidays} >= {2025, 2026, 2027}


def test_cn_schedule_counts_makeup_saturday_and_skips_spring_festival():
    schedule = build_schedule(
        tier=Tier.objects.get(code="5x8"),
        timezone="Asia/Shanghai",
        calendar=HolidayCalendar.objects.get(code="CN"),
    )
    assert schedule.is_working_day(date(2026, 2, 14))  # Saturday, make-up day
    assert not schedule.is_working_day(date(2026, 2, 23))  # Monday, holiday
    none = build_schedule(
        tier=Tier.objects.get(code="5x8"),
        timezone="Asia/Shanghai",
        calendar=HolidayCalendar.objects.get(code="NONE"),
    )
    assert not none.is_working_day(date(2026, 2, 14))
    assert none.is_working_day(date(2026, 2, 23))


def test_import_holidays_replaces_a_year_and_is_idempotent():
    out = StringIO()
    call_command("import_holidays", "--country", "DE", "--year", "2026", stdout=out)
    call_command("import_holidays", "--country", "DE", "--year", "2026", stdout=out)
    calendar = HolidayCalendar.objects.get(code="DE")
    assert calendar.country == "DE"
    days = CalendarDay.objects.filter(calendar=calendar)
    assert days.filter(date=date(2026, 10, 3), kind="holiday").exists()  # German Unity Day
    assert days.count() == days.values("date").distinct().count()
    assert "DE 2026" in out.getvalue()


def test_import_holidays_refuses_an_unknown_country_and_writes_nothing():
    with translation.override("en"), pytest.raises(CommandError, match="no calendar"):
        call_command("import_holidays", "--country", "QQ", "--year", "2026")
    assert not HolidayCalendar.objects.filter(code="QQ").exists()


@freeze_time("2026-11-25 12:00:00")
def test_admin_warns_about_calendars_without_next_year(client):
    HolidayCalendar.objects.create(code="DE", name="Germany", country="DE")
    client.force_login(ManagerFactory(is_superuser=True))
    response = client.get(reverse("admin:sla_holidaycalendar_changelist"), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "No holiday data for 2027 in: DE" in text
    assert "CN" not in text.split("No holiday data for 2027 in:")[1].split(".")[0]


@freeze_time("2026-11-25 12:00:00")
def test_admin_action_imports_next_year(client):
    calendar = HolidayCalendar.objects.create(code="DE", name="Germany", country="DE")
    client.force_login(ManagerFactory(is_superuser=True))
    response = client.post(
        reverse("admin:sla_holidaycalendar_changelist"),
        {"action": "import_next_year", "_selected_action": [calendar.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert calendar.days.filter(date__year=2027).exists()


def test_admin_pages_render(client, django_assert_max_num_queries):
    client.force_login(ManagerFactory(is_superuser=True))
    for name in ("sla_tier", "sla_target", "sla_holidaycalendar"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    cn = HolidayCalendar.objects.get(code="CN")
    assert client.get(reverse("admin:sla_holidaycalendar_change", args=[cn.pk])).status_code == 200
