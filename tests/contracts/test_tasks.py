"""The daily job: expiry at the end of the term and the 30- and 7-day reminders, once each."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time

from contracts.models import ContractReminder, ContractStatus
from contracts.services import contract_reminders_send
from contracts.services.reminders import reminder_kind_due
from contracts.tasks import daily_contract_jobs
from tests.factories import ContactFactory, ContractFactory, PartnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db

# The beat runs the job at 00:05 UTC, 08:05 in Shanghai.
RUN = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [(31, None), (30, "30d"), (8, "30d"), (7, "7d"), (0, "7d"), (-1, None)],
)
def test_which_reminder_is_due(days_left, kind):
    assert reminder_kind_due(days_left) == kind


def test_thirty_days_before_the_end_contacts_get_a_reminder(
    mailoutbox, django_capture_on_commit_callbacks
):
    contact = ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 31)))
    with django_capture_on_commit_callbacks(execute=True):
        assert contract_reminders_send(now=RUN) == 1
    assert [m.to for m in mailoutbox] == [[contact.user.email]]
    assert contact.contract.number in mailoutbox[0].subject
    assert "2026-12-31" in mailoutbox[0].body
    assert ContractReminder.objects.get().kind == "30d"


def test_running_twice_sends_each_reminder_once(mailoutbox, django_capture_on_commit_callbacks):
    ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 31)))
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(now=RUN)
        contract_reminders_send(now=RUN)
    assert len(mailoutbox) == 1


def test_the_seven_day_reminder_follows_the_thirty_day_one(
    mailoutbox, django_capture_on_commit_callbacks
):
    ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 31)))
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(now=RUN)
        contract_reminders_send(now=datetime(2026, 12, 20, 0, 5, tzinfo=UTC))
        contract_reminders_send(now=datetime(2026, 12, 24, 0, 5, tzinfo=UTC))
        contract_reminders_send(now=datetime(2026, 12, 25, 0, 5, tzinfo=UTC))
    assert sorted(ContractReminder.objects.values_list("kind", flat=True)) == ["30d", "7d"]
    assert len(mailoutbox) == 2


def test_a_contract_entering_the_window_late_gets_only_the_nearest_reminder():
    ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 5)))
    contract_reminders_send(now=RUN)
    assert list(ContractReminder.objects.values_list("kind", flat=True)) == ["7d"]


def test_days_are_counted_in_the_contract_time_zone():
    # 2026-11-30 20:00 UTC is already 1 December in Shanghai (30 days before 31 December) but
    # still 30 November in Berlin (31 days before).
    late = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    shanghai = ContractFactory(ends_on=date(2026, 12, 31), timezone="Asia/Shanghai")
    berlin = ContractFactory(ends_on=date(2026, 12, 31), timezone="Europe/Berlin")
    contract_reminders_send(now=late)
    assert list(ContractReminder.objects.values_list("contract", flat=True)) == [shanghai.pk]
    assert berlin.reminders.count() == 0


def test_the_selling_partners_users_are_reminded_too(
    partner, mailoutbox, django_capture_on_commit_callbacks
):
    contact = ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 31), sold_by=partner))
    seller = PartnerUserFactory(partner=partner)
    PartnerUserFactory()  # another partner's user
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(now=RUN)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([contact.user.email, seller.email])


def test_each_recipient_reads_the_reminder_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    contract = ContractFactory(ends_on=date(2026, 12, 31))
    ContactFactory(contract=contract, user=UserFactory(language="en", customer=contract.customer))
    ContactFactory(
        contract=contract, user=UserFactory(language="zh-hans", customer=contract.customer)
    )
    with django_capture_on_commit_callbacks(execute=True):
        contract_reminders_send(now=RUN)
    english = [m for m in mailoutbox if "ends in 30 days" in m.subject]
    assert len(mailoutbox) == 2
    assert len(english) >= 1  # the Chinese one differs once the catalogue is compiled


def test_suspended_pending_and_expired_contracts_are_not_reminded():
    for status in (ContractStatus.SUSPENDED, ContractStatus.PENDING, ContractStatus.EXPIRED):
        ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 31), status=status))
    assert contract_reminders_send(now=RUN) == 0


def test_no_mail_goes_out_before_the_reminder_row_commits(
    mailoutbox, django_capture_on_commit_callbacks
):
    ContactFactory(contract=ContractFactory(ends_on=date(2026, 12, 31)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        contract_reminders_send(now=RUN)
    assert mailoutbox == []
    assert len(callbacks) == 1


@freeze_time("2027-01-01 00:05:00+00:00")
def test_daily_job_expires_then_reminds(mailoutbox, django_capture_on_commit_callbacks):
    ended = ContractFactory(ends_on=date(2026, 12, 31))
    ContactFactory(contract=ContractFactory(ends_on=date(2027, 1, 31)))
    with django_capture_on_commit_callbacks(execute=True):
        result = daily_contract_jobs()
    ended.refresh_from_db()
    assert ended.status == ContractStatus.EXPIRED
    assert result == {"expired": 1, "reminders": 1}
    assert len(mailoutbox) == 1


@freeze_time("2027-01-01 00:05:00+00:00")
def test_daily_job_run_twice_is_idempotent(mailoutbox, django_capture_on_commit_callbacks):
    ContractFactory(ends_on=date(2026, 12, 31))
    ContactFactory(contract=ContractFactory(ends_on=date(2027, 1, 31)))
    with django_capture_on_commit_callbacks(execute=True):
        daily_contract_jobs()
        second = daily_contract_jobs()
    assert second == {"expired": 0, "reminders": 0}
    assert len(mailoutbox) == 1
