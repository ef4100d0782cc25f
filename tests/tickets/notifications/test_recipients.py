"""Who support is when a ticket needs someone: the engineers on call, else the managers; each
read in one query, the roles with it (not one roles query per user)."""

from datetime import timedelta

import pytest

from tests.factories import ManagerFactory, RolelessStaffFactory, StaffFactory
from tests.tickets.helpers import MONDAY
from tickets.notifications import recipients
from tickets.notifications.models import OnCallShift

pytestmark = pytest.mark.django_db


def on_call_from(engineer, starts_at):
    OnCallShift.objects.create(
        engineer=engineer, starts_at=starts_at, ends_at=MONDAY + timedelta(days=1)
    )
    return engineer


def test_on_call_is_the_support_staff_whose_shift_covers_now_latest_shift_first(
    django_assert_num_queries,
):
    early = on_call_from(StaffFactory(), MONDAY - timedelta(hours=5))
    late = on_call_from(StaffFactory(), MONDAY - timedelta(hours=1))
    on_call_from(early, MONDAY - timedelta(hours=2))  # a second shift: paged once
    superuser = on_call_from(RolelessStaffFactory(is_superuser=True), MONDAY - timedelta(hours=3))
    on_call_from(RolelessStaffFactory(), MONDAY - timedelta(hours=1))  # no role: not support
    on_call_from(StaffFactory(is_active=False), MONDAY - timedelta(hours=1))
    on_call_from(StaffFactory(), MONDAY + timedelta(hours=1))  # not yet

    with django_assert_num_queries(1):
        people = recipients.on_call(MONDAY)

    assert [p.user for p in people] == [late, early, superuser]
    assert all(p.staff and p.address == p.user.email for p in people)


def test_managers_are_the_active_managers_and_superusers_in_one_query(django_assert_num_queries):
    manager = ManagerFactory()
    superuser = RolelessStaffFactory(is_superuser=True)
    StaffFactory()  # an engineer
    RolelessStaffFactory()
    ManagerFactory(is_active=False)

    with django_assert_num_queries(1):
        people = recipients.managers()

    assert [p.user for p in people] == sorted([manager, superuser], key=lambda u: u.pk)
    assert all(p.staff for p in people)


def test_pagers_are_the_managers_when_nobody_is_on_call():
    manager = ManagerFactory()
    on_call_from(RolelessStaffFactory(), MONDAY - timedelta(hours=1))

    assert [p.user for p in recipients.pagers(MONDAY)] == [manager]


def test_pagers_are_the_engineers_on_call_in_one_query(django_assert_num_queries):
    ManagerFactory()
    engineer = on_call_from(StaffFactory(), MONDAY - timedelta(hours=2))
    manager_on_call = on_call_from(ManagerFactory(), MONDAY - timedelta(hours=1))
    on_call_from(RolelessStaffFactory(), MONDAY - timedelta(hours=1))

    with django_assert_num_queries(1):
        people = recipients.pagers(MONDAY)

    assert [p.user for p in people] == [manager_on_call, engineer]
    assert [p.user for p in people] == [p.user for p in recipients.on_call(MONDAY)]


def test_pagers_with_nobody_on_call_are_the_managers_in_one_query(django_assert_num_queries):
    managers = [ManagerFactory(), RolelessStaffFactory(is_superuser=True), ManagerFactory()]
    StaffFactory()
    on_call_from(StaffFactory(is_active=False), MONDAY - timedelta(hours=1))

    with django_assert_num_queries(1):
        people = recipients.pagers(MONDAY)

    assert [p.user for p in people] == managers
    assert [p.user for p in people] == [p.user for p in recipients.managers()]
