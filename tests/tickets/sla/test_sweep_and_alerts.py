"""The SLA sweep (tickets.sla.sweep) and the alert outbox (tickets.sla.alerts)."""

import smtplib
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from freezegun import freeze_time

from sla.models import Metric
from tests.factories import ContactFactory, ManagerFactory, StaffFactory
from tests.tickets.sla.factories import ClockFactory, TicketFactory
from tickets import tasks
from tickets.models import AlertKind, ClockAlert, SlaState, TicketEvent
from tickets.notifications import slots
from tickets.notifications.models import Notification
from tickets.notifications.sending import outbox_drain, outbox_retry, retry_delay
from tickets.sla.summary import ticket_refresh_sla
from tickets.sla.sweep import clocks_evaluate, clocks_evaluate_all

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 16:00 in Shanghai

pytestmark = pytest.mark.django_db


def due_clock(*, minutes_ago: int = 1, **kwargs):
    """A running clock that fell due `minutes_ago` before NOW."""
    due = NOW - timedelta(minutes=minutes_ago)
    return ClockFactory(
        started_at=due - timedelta(hours=2),
        due_at=due,
        at_risk_at=due - timedelta(minutes=30),
        **kwargs,
    )


def at_risk_clock(**kwargs):
    """A running clock past its 75 % mark, due in 10 minutes."""
    due = NOW + timedelta(minutes=10)
    return ClockFactory(
        started_at=due - timedelta(hours=2),
        due_at=due,
        at_risk_at=due - timedelta(minutes=30),
        **kwargs,
    )


# --- the sweep ---------------------------------------------------------------------------------


def test_due_clock_is_flagged_breached_once_with_one_alert():
    clock = due_clock()

    result = clocks_evaluate(now=NOW)

    assert (result.breached, result.at_risk) == (1, 0)
    clock.refresh_from_db()
    assert clock.state == SlaState.BREACHED
    assert clock.breached_at == NOW
    alert = ClockAlert.objects.get()
    assert (alert.clock, alert.kind, alert.created_at) == (clock, AlertKind.BREACHED, NOW)
    event = TicketEvent.objects.get(ticket=clock.ticket)
    assert (event.actor, event.at, event.field) == (None, NOW, "sla_response")
    assert (event.before, event.after) == ("running", "breached")
    assert event.reason
    clock.ticket.refresh_from_db()
    assert clock.ticket.sla_state == "breached"
    assert clock.ticket.next_due_at is None  # no clock of the ticket is running any more


def test_second_sweep_writes_nothing_more():
    due_clock()
    clocks_evaluate(now=NOW)

    again = clocks_evaluate(now=NOW + timedelta(minutes=1))

    assert (again.breached, again.at_risk) == (0, 0)
    assert ClockAlert.objects.count() == 1
    assert TicketEvent.objects.count() == 1


def test_at_risk_mark_produces_one_at_risk_alert():
    clock = at_risk_clock()

    first = clocks_evaluate(now=NOW)
    second = clocks_evaluate(now=NOW + timedelta(minutes=1))

    assert (first.breached, first.at_risk) == (0, 1)
    assert (second.breached, second.at_risk) == (0, 0)
    clock.refresh_from_db()
    assert clock.state == SlaState.RUNNING
    assert clock.at_risk_flagged_at == NOW
    assert list(ClockAlert.objects.values_list("kind", flat=True)) == [AlertKind.AT_RISK]
    clock.ticket.refresh_from_db()
    assert clock.ticket.sla_state == "at_risk"


def test_at_risk_clock_later_breached_gets_both_alerts_once():
    clock = at_risk_clock()
    clocks_evaluate(now=NOW)

    result = clocks_evaluate(now=clock.due_at + timedelta(seconds=1))

    assert (result.breached, result.at_risk) == (1, 0)
    assert sorted(ClockAlert.objects.values_list("kind", flat=True)) == [
        AlertKind.AT_RISK,
        AlertKind.BREACHED,
    ]


def test_clock_breached_before_it_was_flagged_at_risk_gets_only_the_breach_alert():
    clock = due_clock(minutes_ago=120)  # at risk and due both passed while nobody looked

    clocks_evaluate(now=NOW)
    clocks_evaluate(now=NOW + timedelta(minutes=1))

    assert list(ClockAlert.objects.values_list("kind", flat=True)) == [AlertKind.BREACHED]
    clock.refresh_from_db()
    assert clock.at_risk_flagged_at == NOW  # flagged silently


def test_clock_before_its_at_risk_mark_is_left_alone():
    clock = ClockFactory(started_at=NOW, due_at=NOW + timedelta(hours=2))

    result = clocks_evaluate(now=NOW + timedelta(minutes=89))

    assert (result.breached, result.at_risk) == (0, 0)
    clock.refresh_from_db()
    assert clock.at_risk_flagged_at is None


@pytest.mark.parametrize("state", [SlaState.PAUSED, SlaState.MET, SlaState.NOT_APPLICABLE])
def test_clock_that_is_not_running_is_never_flagged(state):
    clock = due_clock(minutes_ago=300, state=state)

    result = clocks_evaluate(now=NOW)

    assert (result.breached, result.at_risk) == (0, 0)
    assert not ClockAlert.objects.exists()
    clock.refresh_from_db()
    assert clock.state == state
    assert clock.breached_at is None


def test_clock_without_a_target_is_never_flagged():
    ClockFactory(target_amount=None, due_at=None, at_risk_at=None)

    result = clocks_evaluate(now=NOW + timedelta(days=400))

    assert (result.breached, result.at_risk) == (0, 0)
    assert not ClockAlert.objects.exists()


def test_breached_ticket_stays_breached_when_another_clock_turns_at_risk():
    ticket = TicketFactory()
    due_clock(ticket=ticket, metric=Metric.RESPONSE)
    at_risk_clock(ticket=ticket, metric=Metric.RESTORE)

    result = clocks_evaluate(now=NOW)

    assert (result.breached, result.at_risk) == (1, 1)
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"
    assert ticket.next_due_at == NOW + timedelta(minutes=10)  # the restore clock, still running


@pytest.mark.parametrize("kind", ["breach", "at_risk"])
def test_sweep_leaves_the_ticket_summary_as_ticket_refresh_sla_computes_it(kind):
    ticket = TicketFactory()
    if kind == "breach":
        due_clock(ticket=ticket, metric=Metric.RESPONSE)
    else:
        at_risk_clock(ticket=ticket, metric=Metric.RESPONSE)
    ClockFactory(
        ticket=ticket, metric=Metric.RESTORE, started_at=NOW, due_at=NOW + timedelta(hours=8)
    )
    # The summary as the ticket services leave it a moment before the clock turns.
    ticket_refresh_sla(ticket, NOW - timedelta(hours=3))
    clocks_evaluate(now=NOW)
    ticket.refresh_from_db()
    swept = (ticket.sla_state, ticket.next_due_at)

    ticket_refresh_sla(ticket, NOW)

    assert (ticket.sla_state, ticket.next_due_at) == swept


def test_workers_down_for_hours_next_run_flags_every_missed_breach_once():
    # Workers are down from 02:00 to 08:00; clocks fall due all along, some at risk only.
    outage_start = NOW - timedelta(hours=6)
    due = [
        ClockFactory(
            started_at=outage_start - timedelta(hours=1),
            due_at=outage_start + timedelta(minutes=7 * i),
            at_risk_at=outage_start + timedelta(minutes=7 * i) - timedelta(minutes=30),
        )
        for i in range(40)
    ]
    at_risk = [at_risk_clock() for _ in range(5)]
    future = [ClockFactory(started_at=NOW, due_at=NOW + timedelta(hours=8)) for _ in range(5)]

    result = clocks_evaluate(now=NOW)
    again = clocks_evaluate(now=NOW + timedelta(seconds=30))

    assert (result.breached, result.at_risk) == (40, 5)
    assert (again.breached, again.at_risk) == (0, 0)
    breached = set(
        ClockAlert.objects.filter(kind=AlertKind.BREACHED).values_list("clock_id", flat=True)
    )
    assert breached == {c.pk for c in due}
    risky = set(
        ClockAlert.objects.filter(kind=AlertKind.AT_RISK).values_list("clock_id", flat=True)
    )
    assert risky == {c.pk for c in at_risk}
    assert not ClockAlert.objects.filter(clock__in=future).exists()


def test_sweep_takes_at_most_limit_and_leaves_the_rest_to_the_next_tick():
    clocks = [due_clock(minutes_ago=m) for m in (50, 40, 30, 20, 10)]

    first = clocks_evaluate(now=NOW, limit=3)
    second = clocks_evaluate(now=NOW, limit=3)

    assert (first.breached, second.breached) == (3, 2)
    oldest_first = ClockAlert.objects.filter(clock__in=clocks[:3]).count()
    assert oldest_first == 3
    assert ClockAlert.objects.count() == 5


def test_drains_start_only_after_commit(django_capture_on_commit_callbacks):
    due_clock()
    ManagerFactory()
    with (
        mock.patch.object(slots, "queue_task") as queue,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        clocks_evaluate(now=NOW)
        assert not queue.called
    assert len(callbacks) == 1
    with mock.patch.object(slots, "queue_task") as queue:
        callbacks[0]()
    queue.assert_called_once_with("tickets.tasks.drain_outbox", slot=0)


def test_nothing_is_queued_when_nothing_was_flagged(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        clocks_evaluate(now=NOW)
    assert callbacks == []


# --- sending -----------------------------------------------------------------------------------


@pytest.fixture
def people():
    manager = ManagerFactory(language="en")
    ManagerFactory(language="en", is_active=False)
    StaffFactory(language="en")  # an engineer not on the ticket: no alert
    engineer = StaffFactory(language="zh-hans")
    ticket = TicketFactory(assignee=engineer, subject="Cluster down & no logs")
    contact = ContactFactory(contract=ticket.contract)
    contact.user.language = "zh-hans"
    contact.user.save()
    return {"manager": manager, "engineer": engineer, "ticket": ticket, "contact": contact}


def drain(at):
    with mock.patch.object(slots, "queue_task"):
        return outbox_drain(clock=lambda: at, budget=60)


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def deliveries():
    return Notification.objects.filter(alert__isnull=False)


def test_breach_alert_goes_to_managers_assignee_and_named_contacts(people):
    clock = due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    result = drain(NOW)

    assert (result.sent, result.failed, result.skipped) == (3, 0, 0)
    messages = by_recipient()
    assert set(messages) == {
        people["manager"].email,
        people["engineer"].email,
        people["contact"].user.email,
    }
    ticket = people["ticket"]
    staff_link = f"{settings.SITE_URL}/admin/tickets/ticket/{ticket.pk}/change/"
    customer_link = f"{settings.SITE_URL}/tickets/{ticket.pk}/"
    assert staff_link in messages[people["manager"].email].body
    assert customer_link in messages[people["contact"].user.email].body
    assert staff_link not in messages[people["contact"].user.email].body
    alert = ClockAlert.objects.get(clock=clock)
    rows = Notification.objects.filter(alert=alert)
    assert {(r.sent_at, r.attempts, r.claimed_by) for r in rows} == {(NOW, 1, "")}


def test_a_contact_address_of_the_contract_wins_over_the_login_address(people):
    people["contact"].email = "ops-desk@customer.test"
    people["contact"].save()
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    drain(NOW)

    assert "ops-desk@customer.test" in by_recipient()
    assert people["contact"].user.email not in by_recipient()


def test_at_risk_alert_goes_to_staff_only(people):
    at_risk_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    drain(NOW)

    assert set(by_recipient()) == {people["manager"].email, people["engineer"].email}


def test_a_manager_who_is_the_engineer_gets_one_alert(people):
    people["ticket"].assignee = people["manager"]
    people["ticket"].save()
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    drain(NOW)

    assert [m.to[0] for m in mail.outbox].count(people["manager"].email) == 1


def test_alert_content_names_ticket_customer_priority_metric_and_local_due_time(people):
    due_clock(ticket=people["ticket"], minutes_ago=30)  # due 07:30 UTC = 15:30 in Shanghai
    clocks_evaluate(now=NOW)

    drain(NOW)

    message = by_recipient()[people["manager"].email]
    ticket = people["ticket"]
    assert f"#{ticket.pk}" in message.subject
    assert "Cluster down & no logs" in message.subject  # plain text: not HTML-escaped
    assert ticket.contract.customer.name_en in message.body
    assert "P1 urgent" in message.body
    assert "response" in message.body
    assert "2026-03-02 15:30 (Asia/Shanghai)" in message.body
    assert "2026-03-02 07:30 UTC" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["References"] == f"<ticket-{ticket.pk}@example.com>"


def test_each_recipient_gets_the_alert_in_their_own_language(people):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    drain(NOW)

    messages = by_recipient()
    engineer = messages[people["engineer"].email]
    manager = messages[people["manager"].email]
    contact = messages[people["contact"].user.email]
    assert any("\u4e00" <= char <= "\u9fff" for char in engineer.subject)
    assert not any("\u4e00" <= char <= "\u9fff" for char in manager.subject)
    assert any("\u4e00" <= char <= "\u9fff" for char in contact.subject)
    customer = people["ticket"].contract.customer
    assert customer.name_zh in engineer.body
    assert customer.name_zh not in manager.body


def test_smtp_failure_keeps_the_alert_and_retries_after_the_backoff(people):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    with mock.patch.object(
        EmailBackend, "send_messages", side_effect=smtplib.SMTPException("421 try later")
    ):
        failed = drain(NOW)

    assert (failed.sent, failed.failed) == (0, 3)
    for row in deliveries():
        assert row.sent_at is None
        assert row.attempts == 1
        assert row.next_attempt_at == NOW + timedelta(minutes=1)
        assert row.claimed_by == ""
        assert "421 try later" in row.last_error
    assert mail.outbox == []

    too_early = drain(NOW + timedelta(seconds=30))
    assert too_early.sent == 0

    later = drain(NOW + timedelta(minutes=1))
    once_more = drain(NOW + timedelta(minutes=2))

    assert (later.sent, once_more.sent) == (3, 0)
    assert len(mail.outbox) == 3  # manager, engineer, contact: once each
    for row in deliveries():
        assert (row.sent_at, row.attempts, row.last_error) == (NOW + timedelta(minutes=1), 2, "")


def test_a_failure_for_one_recipient_resends_to_that_recipient_only(people):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)
    real_send = EmailBackend.send_messages

    def refuse_the_manager(self, messages):
        if messages[0].to == [people["manager"].email]:
            raise smtplib.SMTPRecipientsRefused({people["manager"].email: (550, b"no")})
        return real_send(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", refuse_the_manager):
        first = drain(NOW)
    second = drain(NOW + timedelta(minutes=1))

    assert (first.sent, first.failed, second.sent) == (2, 1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["manager"].email, people["engineer"].email, people["contact"].user.email]
    )


def test_retry_delay_doubles_from_one_minute_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 6, 7, 30)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 32, 60, 60)
    ]


def test_a_row_claimed_by_another_sender_is_left_to_it_until_the_claim_runs_out(people):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)
    deliveries().update(next_attempt_at=NOW + timedelta(seconds=60), claimed_by="other")

    assert drain(NOW).sent == 0
    # A claim that outlived its sender (a crash) runs out after a minute and is taken over.
    assert drain(NOW + timedelta(seconds=61)).sent == 3


def test_at_risk_alert_of_a_clock_that_ended_meanwhile_is_closed_unsent(people):
    clock = at_risk_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)
    clock.state = SlaState.MET
    clock.met_at = NOW
    clock.save()

    result = drain(NOW)

    assert (result.sent, result.skipped) == (0, 2)
    assert mail.outbox == []
    for row in deliveries():
        assert row.sent_at == NOW
        assert "met" in row.skipped


def test_retry_makes_a_waiting_row_due_now(people, django_capture_on_commit_callbacks):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)
    deliveries().update(attempts=5, next_attempt_at=NOW + timedelta(minutes=16))
    ids = list(deliveries().values_list("pk", flat=True))

    with (
        mock.patch.object(slots, "queue_task") as queue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbox_retry(ids=ids, now=NOW + timedelta(minutes=1)) == 3
    queue.assert_called_once_with("tickets.tasks.drain_outbox", slot=0)
    assert drain(NOW + timedelta(minutes=1)).sent == 3


def test_retry_leaves_sent_rows_alone(people):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)
    drain(NOW)

    assert outbox_retry(ids=list(deliveries().values_list("pk", flat=True)), now=NOW) == 0


def test_alert_to_a_user_without_an_address_is_dropped(people):
    ManagerFactory(email="")
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    assert drain(NOW).sent == 3
    assert "" not in by_recipient()


# --- tasks and schedule --------------------------------------------------------------------------


def test_tasks_read_the_clock_and_call_the_services(people):
    due_clock(ticket=people["ticket"])

    with freeze_time(NOW), mock.patch.object(slots, "queue_task") as queue:
        evaluated = tasks.evaluate_clocks()
        sent = tasks.drain_outbox(slot=None)

    assert evaluated == {"breached": 1, "at_risk": 0, "drains_started": 1, "rescued": 0}
    queue.assert_called_once_with("tickets.tasks.drain_outbox", slot=0)
    assert sent == {"sent": 3, "failed": 0, "skipped": 0, "lost_claims": 0}


def test_beat_schedule_runs_the_sweep_every_minute_and_expires_it_before_the_next():
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "tickets.tasks.evaluate_clocks"
    ]

    assert len(entries) == 1
    interval = entries[0]["schedule"]
    interval = interval.total_seconds() if isinstance(interval, timedelta) else float(interval)
    assert interval <= 60
    assert 0 < entries[0]["options"]["expires"] < interval


def test_breach_detection_and_sending_have_queues_of_their_own():
    routes = settings.CELERY_TASK_ROUTES
    assert routes["tickets.tasks.evaluate_clocks"]["queue"] == "sla"
    assert routes["tickets.tasks.drain_outbox"]["queue"] == "outbox"


def test_a_burst_larger_than_a_batch_is_flagged_in_one_tick():
    clocks = [due_clock(minutes_ago=m) for m in range(1, 8)]

    result = clocks_evaluate_all(now=NOW, limit=3)

    assert result.breached == 7
    assert ClockAlert.objects.filter(clock__in=clocks).count() == 7


def test_staff_alerts_of_a_burst_go_out_before_the_customers_notices(people):
    due_clock(ticket=people["ticket"])
    clocks_evaluate(now=NOW)

    drain(NOW)

    order = [m.to[0] for m in mail.outbox]
    assert order[-1] == people["contact"].user.email
