"""Open tickets follow edits of SLA reference data: targets, tier hours, calendars, agreed hours."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from freezegun import freeze_time

from sla.models import CalendarDay, DayKind, Metric, Target
from sla.services import reference_data_changed
from tests.tickets.helpers import MONDAY, clocks_of, sh
from tickets.models import EventField, SlaState, TicketEvent
from tickets.services import message_post, ticket_resolve
from tickets.tasks import recompute_open_clocks

pytestmark = pytest.mark.django_db


def p1_restore(contract) -> Target:
    return Target.objects.get(tier=contract.tier, priority="P1", metric=Metric.RESTORE)


def test_the_task_retargets_open_tickets_after_a_target_edit(open_ticket, contract):
    ticket = open_ticket(now=MONDAY)
    Target.objects.filter(pk=p1_restore(contract).pk).update(amount=10)

    with freeze_time("2026-11-23 03:00:00"):
        changed = recompute_open_clocks(tier_id=contract.tier_id)
        again = recompute_open_clocks(tier_id=contract.tier_id)

    restore = clocks_of(ticket)[Metric.RESTORE]
    assert (changed, again) == (1, 0)
    assert restore.due_at == sh(2026, 11, 24, 11, 0)  # Mon 10:00 + 10 service hours
    entry = TicketEvent.objects.get(ticket=ticket, field=EventField.DUE_RESTORE)
    assert (entry.actor, entry.before, entry.after) == (
        None,
        "2026-11-24T09:00+08:00",
        "2026-11-24T11:00+08:00",
    )


def test_closed_and_resolved_tickets_are_left_alone(open_ticket, contract, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="x", now=sh(2026, 11, 23, 10, 30))
    ticket_resolve(ticket=ticket, by=engineer, now=sh(2026, 11, 23, 11))
    Target.objects.filter(tier=contract.tier, priority="P1").update(amount=1)

    with freeze_time("2026-11-23 03:00:00"):
        assert recompute_open_clocks() == 0

    assert {c.state for c in clocks_of(ticket).values()} == {SlaState.MET}


def test_batches_walk_every_ticket(open_ticket, contract, settings):
    settings.SLA_RECOMPUTE_BATCH_SIZE = 2
    tickets = [open_ticket(now=MONDAY) for _ in range(5)]
    Target.objects.filter(pk=p1_restore(contract).pk).update(amount=9)

    with freeze_time("2026-11-23 03:00:00"):
        assert recompute_open_clocks(tier_id=contract.tier_id) == 5

    assert {clocks_of(t)[Metric.RESTORE].due_at for t in tickets} == {sh(2026, 11, 24, 10, 0)}


def test_a_new_holiday_moves_due_times(open_ticket, contract):
    ticket = open_ticket(now=sh(2026, 11, 27, 17, 30))
    CalendarDay.objects.create(
        calendar=contract.calendar, date=date(2026, 11, 30), kind=DayKind.HOLIDAY, name="Test"
    )
    contract.calendar.save()  # as the admin and the import do: the calendar's last change moves

    with freeze_time("2026-11-27 10:00:00"):
        recompute_open_clocks(calendar_id=contract.calendar_id)

    assert clocks_of(ticket)[Metric.RESPONSE].due_at == sh(2026, 12, 1, 10, 30)


def test_agreed_hours_of_a_contract(open_ticket, contract):
    ticket = open_ticket(now=MONDAY)
    contract.agreed_hours = "mon-fri 09:00-12:00,mon-fri 13:00-18:00"
    contract.save()

    with freeze_time("2026-11-23 02:00:00"):
        recompute_open_clocks(contract_id=contract.pk)

    # Mon 10:00 + 2 service hours with a lunch break 12:00-13:00.
    assert clocks_of(ticket)[Metric.RESPONSE].due_at == sh(2026, 11, 23, 13, 0)


def test_changes_queue_the_task_after_commit(contract, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(recompute_open_clocks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reference_data_changed(tier=contract.tier)
        reference_data_changed(contract=contract)

    assert delay.call_args_list == [
        mock.call(tier_id=contract.tier_id),
        mock.call(contract_id=contract.pk),
    ]


def test_saving_a_target_in_the_admin_queues_the_recompute(
    client, manager, contract, django_capture_on_commit_callbacks
):
    target = p1_restore(contract)
    client.force_login(manager)
    url = reverse("admin:sla_target_change", args=[target.pk])

    with (
        mock.patch.object(recompute_open_clocks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            url,
            {
                "tier": target.tier_id,
                "priority": "P1",
                "metric": "restore",
                "amount": 10,
                "unit": "hours",
            },
        )

    assert response.status_code == 302
    delay.assert_called_once_with(tier_id=contract.tier_id)


def test_saving_a_calendar_in_the_admin_queues_the_recompute(
    client, manager, contract, django_capture_on_commit_callbacks
):
    calendar = contract.calendar
    client.force_login(manager)
    url = reverse("admin:sla_holidaycalendar_change", args=[calendar.pk])
    data = {
        "code": calendar.code,
        "name": calendar.name,
        "country": calendar.country,
        "days-TOTAL_FORMS": 1,
        "days-INITIAL_FORMS": 0,
        "days-0-date": "2026-11-30",
        "days-0-kind": "holiday",
        "days-0-name": "Company day",
    }

    with (
        mock.patch.object(recompute_open_clocks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    delay.assert_called_once_with(calendar_id=calendar.pk)


def test_editing_a_contracts_schedule_in_the_admin_queues_the_recompute(
    rf, contract, manager, django_capture_on_commit_callbacks
):
    from django.contrib import admin

    from contracts.models import Contract

    model_admin = admin.site._registry[Contract]
    request = rf.post("/")
    request.user = manager
    contract.agreed_hours = "mon-fri 09:00-12:00,mon-fri 13:00-18:00"
    form = mock.Mock(changed_data=["agreed_hours"], initial={"tier": contract.tier_id})

    with (
        mock.patch.object(recompute_open_clocks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        model_admin.save_model(request, contract, form, change=True)
        form.changed_data = ["subject_unrelated"]
        model_admin.save_model(request, contract, form, change=True)

    assert delay.call_args_list == [mock.call(contract_id=contract.pk)]


def test_changing_a_contracts_tier_queues_the_recompute(
    contract, manager, django_capture_on_commit_callbacks
):
    from contracts.services import contract_change_tier
    from sla.models import Tier

    with (
        mock.patch.object(recompute_open_clocks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        contract_change_tier(
            contract=contract, tier=Tier.objects.get(code="7x24"), by=manager, now=MONDAY
        )

    assert mock.call(contract_id=contract.pk) in delay.call_args_list
