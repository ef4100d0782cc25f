"""Opening a ticket: entitlement, channels, the 7x24 on-duty contact, the unmodified-build
declaration, and the clocks it starts (docs/spec.md "SLA targets" worked examples)."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from contracts.schedule import contract_schedule
from contracts.services import EntitlementError
from core.errors import ServiceError
from sla.models import Metric
from tests.factories import ContractFactory, StaffFactory, VersionFactory, tier
from tests.tickets.helpers import MONDAY, clocks_of, sh
from tickets.models import EventField, SlaState, Ticket, TicketEvent, TicketStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("opened", "priority", "response", "restore"),
    [
        (sh(2026, 11, 27, 17, 30), "P1", sh(2026, 11, 30, 10, 30), sh(2026, 11, 30, 16, 30)),
        (sh(2026, 11, 27, 19, 0), "P1", sh(2026, 11, 30, 11, 0), sh(2026, 11, 30, 17, 0)),
        (sh(2026, 2, 13, 16, 0), "P2", sh(2026, 2, 14, 11, 0), None),
    ],
)
def test_spec_worked_examples_give_the_due_times(open_ticket, opened, priority, response, restore):
    ticket = open_ticket(now=opened, priority=priority)
    clocks = clocks_of(ticket)

    assert clocks[Metric.RESPONSE].due_at == response
    if restore is not None:
        assert clocks[Metric.RESTORE].due_at == restore
    assert ticket.next_due_at == response
    assert ticket.sla_state == SlaState.RUNNING
    assert ticket.status == TicketStatus.NEW


def test_fix_target_counts_working_days(open_ticket, contract):
    ticket = open_ticket(now=sh(2026, 11, 23, 10, 0))

    fix = clocks_of(ticket)[Metric.FIX]
    assert fix.due_at == contract_schedule(contract).add_working_days(sh(2026, 11, 23, 10, 0), 50)
    assert (fix.target_amount, fix.target_unit) == (50, "days")


def test_5x8_p3_has_no_restore_clock(open_ticket):
    ticket = open_ticket(priority="P3")
    restore = clocks_of(ticket)[Metric.RESTORE]

    assert restore.state == SlaState.NOT_APPLICABLE
    assert restore.due_at is None
    assert restore.at_risk_at is None


def test_p4_has_only_a_response_clock(open_ticket):
    clocks = clocks_of(open_ticket(priority="P4"))

    assert clocks[Metric.RESPONSE].state == SlaState.RUNNING
    assert clocks[Metric.RESTORE].state == SlaState.NOT_APPLICABLE
    assert clocks[Metric.FIX].state == SlaState.NOT_APPLICABLE


def test_version_past_end_of_maintenance_has_no_fix_clock(open_ticket, contract):
    old = VersionFactory(
        product=contract.products.get(),
        end_of_maintenance=date(2026, 6, 30),
        end_of_support=date(2027, 6, 30),
    )

    with translation.override("en"):  # the reason is recorded in the caller's language
        ticket = open_ticket(version=old)

    fix = clocks_of(ticket)[Metric.FIX]
    assert ticket.fix_target is False
    assert fix.state == SlaState.NOT_APPLICABLE
    assert fix.due_at is None
    assert "end of maintenance" in ticket.events.get(field=EventField.OPENED).reason


def test_version_past_end_of_support_is_refused(open_ticket, contract):
    old = VersionFactory(
        product=contract.products.get(),
        end_of_maintenance=date(2025, 6, 30),
        end_of_support=date(2026, 6, 30),
    )

    with pytest.raises(EntitlementError) as refused:
        open_ticket(version=old)

    assert refused.value.code == "version_end_of_support"
    assert not Ticket.objects.exists()


def test_only_named_contacts_open_tickets(open_ticket, colleague):
    with pytest.raises(EntitlementError) as refused:
        open_ticket(reporter=colleague)

    assert refused.value.code == "not_named_contact"


def test_staff_log_a_call_for_a_customer_user(open_ticket, colleague, contract_7x24):
    staff = StaffFactory()
    reporter = open_ticket(on=contract_7x24).reporter

    ticket = open_ticket(on=contract_7x24, reporter=reporter, logged_by=staff, channel="phone")

    assert ticket.channel == "phone"
    assert ticket.logged_by == staff
    assert ticket.events.get().actor == staff


def test_a_5x8_ticket_cannot_come_by_phone_or_skype(open_ticket):
    for channel in ("phone", "skype"):
        with pytest.raises(ServiceError) as refused:
            open_ticket(channel=channel, logged_by=StaffFactory())
        assert refused.value.code == "channel_not_in_tier"
        assert refused.value.field == "channel"
    assert open_ticket(channel="wechat", logged_by=StaffFactory()).channel == "wechat"
    assert not Ticket.objects.filter(channel__in=["phone", "skype"]).exists()


def test_a_customer_opens_through_the_portal_or_the_api_only(open_ticket):
    """The probe set a ticket's channel through the API; other channels are logged by staff."""
    with pytest.raises(ServiceError) as refused:
        open_ticket(channel="phone")
    assert refused.value.code == "channel_not_self_service"
    assert open_ticket(channel="api").channel == "api"
    with pytest.raises(ServiceError) as refused:
        open_ticket(channel="portal", logged_by=StaffFactory())
    assert refused.value.code == "channel_self_service"


def test_7x24_requires_the_on_duty_name_and_phone(open_ticket, contract_7x24):
    with pytest.raises(ServiceError) as no_phone:
        open_ticket(on=contract_7x24, on_duty_name="Li Lei", on_duty_phone=" ")
    with pytest.raises(ServiceError) as no_name:
        open_ticket(on=contract_7x24, on_duty_name="", on_duty_phone="+86 138 0000 0001")

    assert (no_phone.value.code, no_phone.value.field) == ("on_duty_required", "on_duty_phone")
    assert (no_name.value.code, no_name.value.field) == ("on_duty_required", "on_duty_name")
    assert not Ticket.objects.exists()
    assert open_ticket(on=contract_7x24).on_duty_phone == "+86 138 0000 0001"


def test_5x8_does_not_ask_for_an_on_duty_contact(open_ticket):
    assert open_ticket(on_duty_name="", on_duty_phone="").pk


def test_the_unmodified_build_declaration_is_required(open_ticket):
    with pytest.raises(ServiceError) as refused:
        open_ticket(unmodified_build=False)

    assert (refused.value.code, refused.value.field) == ("modified_build", "unmodified_build")
    assert not Ticket.objects.exists()


def test_7x24_hours_are_elapsed_hours_every_day(open_ticket, contract_7x24):
    saturday_night = sh(2026, 11, 28, 23, 30)

    clocks = clocks_of(open_ticket(on=contract_7x24, now=saturday_night))

    assert clocks[Metric.RESPONSE].due_at == saturday_night + timedelta(hours=1)
    assert clocks[Metric.RESTORE].due_at == saturday_night + timedelta(hours=8)
    assert clocks[Metric.FIX].due_at == sh(2026, 12, 13, 23, 30)


def test_opening_writes_one_history_entry(open_ticket, contact):
    ticket = open_ticket()

    entry = TicketEvent.objects.get(ticket=ticket)
    assert (entry.field, entry.actor, entry.at) == (EventField.OPENED, contact, MONDAY)


def test_a_contract_of_another_customer_is_refused(open_ticket, contact, version):
    other = ContractFactory(products=[version.product], tier=tier("5x8"))

    with pytest.raises(ServiceError) as refused:
        open_ticket(on=other, reporter=contact)

    assert refused.value.code == "reporter_not_customer"
