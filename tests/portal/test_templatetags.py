"""The portal's template filters: local times with the zone named, service hours in words."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from portal.templatetags.portal_tags import (
    duration,
    event_value,
    hours_in_words,
    local_time,
    service_hours,
)
from tests.factories import ContractFactory, tier


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_local_time_names_the_zone():
    moment = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)
    assert local_time(moment, "Asia/Shanghai") == "2026-11-30 10:30 (Asia/Shanghai)"
    assert local_time(moment, "Europe/Berlin") == "2026-11-30 03:30 (Europe/Berlin)"


def test_local_time_of_nothing_is_empty():
    assert local_time(None, "Asia/Shanghai") == ""


def test_local_time_with_an_unknown_zone_falls_back_to_utc():
    moment = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)
    assert local_time(moment, "Mars/Olympus") == "2026-11-30 02:30 UTC"


def test_hours_in_words():
    assert hours_in_words("mon-fri 09:00-18:00") == "Mon–Fri 09:00–18:00"
    assert hours_in_words("") == "around the clock"
    assert (
        hours_in_words("mon-fri 09:00-12:00,mon-fri 13:30-18:00,sat 09:00-12:00")
        == "Mon–Fri 09:00–12:00, 13:30–18:00; Sat 09:00–12:00"
    )


@pytest.mark.django_db
def test_service_hours_of_a_contract_are_in_its_own_zone():
    assert service_hours(ContractFactory(tier=tier("5x8"))) == "Mon–Fri 09:00–18:00 Asia/Shanghai"
    assert service_hours(ContractFactory(tier=tier("7x24"))) == "around the clock"
    agreed = ContractFactory(
        tier=tier("5x8"), timezone="Europe/Berlin", agreed_hours="mon-thu 08:00-16:00"
    )
    assert service_hours(agreed) == "Mon–Thu 08:00–16:00 Europe/Berlin"


def test_hours_in_words_follow_the_language():
    with translation.override("zh-hans"):
        assert hours_in_words("mon-fri 09:00-18:00") == "星期一–星期五 09:00–18:00"


def test_duration_shows_the_two_largest_units():
    assert duration(timedelta(minutes=15)) == "15 minutes"
    assert duration(timedelta(hours=2, minutes=5)) == "2 hours 5 minutes"
    assert duration(timedelta(days=3, hours=4, minutes=5)) == "3 days 4 hours"


def test_history_values_read_as_labels():
    assert event_value("in_progress", "status") == "in progress"
    assert event_value("P2", "priority") == "P2 high"
    assert event_value("2026-11-30T10:30+08:00", "due_restore") == "2026-11-30 10:30"
    assert (
        event_value("accepted 2027-01-15T18:00+08:00", "agreement") == "accepted 2027-01-15 18:00"
    )
    assert event_value("breached", "sla_response") == "breached"
