"""The support desk (Django admin): every page renders with a pinned number of queries that does
not grow with the data, actions call the services, refusals become messages, history is never
editable."""

import gzip
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from freezegun import freeze_time

from sla.models import Metric
from tests.factories import ContractFactory, StaffFactory
from tests.tickets.factories import MessageFactory, TicketEventFactory, TicketFactory
from tests.tickets.helpers import MONDAY, clocks_of, sh
from tickets.admin.ticket_actions import TICKET_ACTIONS
from tickets.models import (
    Agreement,
    AgreementStatus,
    Message,
    RemoteSession,
    SlaState,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.services import agreement_propose, message_post, remote_session_request, ticket_assign

pytestmark = pytest.mark.django_db
NOW = "2026-11-23 03:00:00"  # Monday 11:00 in Shanghai


@pytest.fixture
def desk(client, manager):
    client.force_login(manager)
    return client


def busy_ticket(open_ticket, engineer, contact, *, messages=2):
    """A ticket with a thread, an attachment, a proposal, a remote session and history."""
    ticket = open_ticket(
        now=MONDAY,
        attachments=[SimpleUploadedFile("broker.log.gz", gzip.compress(b"refused\n"))],
    )
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))
    for i in range(messages):
        message_post(
            ticket=ticket, author=contact, body=f"Update {i}", now=sh(2026, 11, 23, 10, 40)
        )
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=sh(2026, 11, 23, 10, 45))
    agreement_propose(
        ticket=ticket, by=engineer, due_at=sh(2027, 3, 1, 10), reason="Release", now=MONDAY
    )
    remote_session_request(
        ticket=ticket,
        by=contact,
        starts_at=sh(2026, 11, 24, 10),
        project_context="3 nodes",
        now=MONDAY,
    )
    ticket.refresh_from_db()
    return ticket


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# --- the ticket list --------------------------------------------------------------------------


def test_ticket_list_queries_do_not_grow_with_tickets(desk, django_assert_max_num_queries):
    url = reverse("admin:tickets_ticket_changelist")
    contract = ContractFactory()
    for _ in range(3):
        TicketFactory(contract=contract, assignee=StaffFactory())
    desk.get(url)  # warm caches
    few = queries(desk, url)
    for _ in range(12):
        TicketFactory(contract=ContractFactory(), assignee=StaffFactory())

    with django_assert_max_num_queries(9):
        response = desk.get(url)
    assert response.status_code == 200
    assert queries(desk, url) == few


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("sla=breached", {"sla_state": "breached"}),
        ("sla=at_risk", {"sla_state": "at_risk"}),
        ("priority__exact=P1", {"priority": "P1"}),
        ("status__exact=waiting", {"status": "waiting"}),
        ("q=%23{pk}", {}),
        ("q=Unique+subject", {"subject": "Unique subject"}),
        ("o=6", {}),
    ],
)
def test_ticket_list_filters_and_search(desk, query, fields, django_assert_max_num_queries):
    ticket = TicketFactory(**fields)
    other = TicketFactory()
    url = reverse("admin:tickets_ticket_changelist") + "?" + query.format(pk=ticket.pk)

    # A search reads the ids of its few matching contracts and messages first (two queries).
    with django_assert_max_num_queries(10 if query.startswith("q=") else 8):
        response = desk.get(url)

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert ticket in shown
    assert (other in shown) == query.startswith("o=")


def test_ticket_list_shows_badges_and_puts_the_nearest_due_first(desk):
    later = TicketFactory(next_due_at=sh(2026, 11, 25, 10), sla_state="running")
    none = TicketFactory(next_due_at=None, sla_state="met")
    sooner = TicketFactory(next_due_at=sh(2026, 11, 24, 10), sla_state="breached")

    response = desk.get(reverse("admin:tickets_ticket_changelist"))

    assert list(response.context["cl"].result_list) == [sooner, later, none]
    html = response.content.decode()
    assert '<span class="badge sla-breached">' in html
    assert "admin/css/sla.css" in html
    assert "2026-11-24 10:00 (Asia/Shanghai)" in html


def test_filter_by_tier_contract_and_engineer(desk, open_ticket, contract_7x24, engineer):
    ticket = open_ticket(on=contract_7x24)
    ticket_assign(ticket=ticket, engineer=engineer, by=engineer, now=MONDAY)
    other = TicketFactory()
    url = reverse("admin:tickets_ticket_changelist")

    for query in (
        f"contract__tier__id__exact={contract_7x24.tier_id}",
        f"contract__id__exact={contract_7x24.pk}",
        f"assignee__id__exact={engineer.pk}",
    ):
        shown = list(desk.get(f"{url}?{query}").context["cl"].result_list)
        assert shown == [ticket], query
        assert other not in shown


# --- the ticket page --------------------------------------------------------------------------


def test_ticket_page_queries_do_not_grow_with_the_thread(
    desk, open_ticket, engineer, contact, django_assert_max_num_queries
):
    small = busy_ticket(open_ticket, engineer, contact, messages=1)
    big = busy_ticket(open_ticket, engineer, contact, messages=15)
    for _ in range(10):
        TicketEventFactory(ticket=big)
        MessageFactory(ticket=big)

    with freeze_time(NOW):
        desk.get(reverse("admin:tickets_ticket_change", args=[small.pk]))  # warm caches
        baseline = queries(desk, reverse("admin:tickets_ticket_change", args=[small.pk]))
        with django_assert_max_num_queries(14):
            response = desk.get(reverse("admin:tickets_ticket_change", args=[big.pk]))

    assert response.status_code == 200
    with freeze_time(NOW):
        assert queries(desk, reverse("admin:tickets_ticket_change", args=[big.pk])) == baseline


def test_ticket_page_shows_thread_clocks_history_and_actions(desk, open_ticket, engineer, contact):
    ticket = busy_ticket(open_ticket, engineer, contact)
    message_post(ticket=ticket, author=engineer, body="Secret", public=False, now=MONDAY)

    with freeze_time(NOW):
        html = desk.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    assert "Update 0" in html and "Secret" in html and "not visible to the customer" in html
    assert "broker.log.gz" in html
    assert "2026-11-23 12:00 (Asia/Shanghai)" in html  # response due, contract's local time
    for key in ("reply", "note", "call", "downgrade", "consent", "withdraw", "unsupported"):
        assert reverse("admin:tickets_ticket_do", args=[ticket.pk, key]) in html
    assert reverse("admin:tickets_ticket_do", args=[ticket.pk, "propose"]) not in html


def test_every_action_page_renders(
    desk, open_ticket, engineer, contact, django_assert_max_num_queries
):
    ticket = busy_ticket(open_ticket, engineer, contact)

    for key in TICKET_ACTIONS:
        url = reverse("admin:tickets_ticket_do", args=[ticket.pk, key])
        with django_assert_max_num_queries(5):
            response = desk.get(url)
        assert response.status_code == 200, key
    assert desk.get(reverse("admin:tickets_ticket_do", args=[ticket.pk, "nope"])).status_code == 404


def test_history_is_never_editable(desk, open_ticket, engineer, contact):
    ticket = busy_ticket(open_ticket, engineer, contact)
    html = desk.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    assert "<textarea" not in html.split('id="ticket-history"')[1]
    assert 'name="events-0-reason"' not in html
    assert 'name="_save"' not in html
    with pytest.raises(NoReverseMatch):
        reverse("admin:tickets_ticketevent_change", args=[1])
    count = TicketEvent.objects.count()
    desk.post(reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"subject": "Edited"})
    assert TicketEvent.objects.count() == count
    assert Ticket.objects.get(pk=ticket.pk).subject != "Edited"
    assert desk.get(reverse("admin:tickets_ticket_delete", args=[ticket.pk])).status_code == 403


def test_attachment_download_goes_through_the_admin(desk, open_ticket, engineer, contact):
    ticket = busy_ticket(open_ticket, engineer, contact)
    attachment = ticket.attachments.get()

    response = desk.get(reverse("admin:tickets_ticket_attachment", args=[ticket.pk, attachment.pk]))

    assert response.status_code == 200
    assert gzip.decompress(b"".join(response.streaming_content)) == b"refused\n"
    assert response["Content-Disposition"].startswith("attachment;")


# --- actions ----------------------------------------------------------------------------------


def post_action(desk, ticket, key, data):
    with freeze_time(NOW):
        return desk.post(reverse("admin:tickets_ticket_do", args=[ticket.pk, key]), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_reply_from_the_desk_is_the_first_response(desk, open_ticket, manager):
    ticket = open_ticket(now=MONDAY)

    response = post_action(desk, ticket, "reply", {"body": "We are on it."})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert Message.objects.get(ticket=ticket).author == manager
    assert clocks_of(ticket)[Metric.RESPONSE].state == SlaState.MET


def test_a_refused_action_is_an_error_message_not_a_500(desk, open_ticket):
    ticket = open_ticket(now=MONDAY)

    response = post_action(desk, ticket, "downgrade", {"reason": "Minor"})

    assert response.status_code == 200
    assert any("first response" in m for m in messages_of(response))
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


def test_an_invalid_form_is_shown_again(desk, open_ticket):
    ticket = open_ticket(now=MONDAY)

    response = post_action(desk, ticket, "unsupported", {"reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_propose_takes_the_contracts_local_time_and_consent_applies_it(desk, open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Hi", now=sh(2026, 11, 23, 10, 30))

    post_action(desk, ticket, "propose", {"due_at": "2027-03-01T10:00", "reason": "Release"})
    response = post_action(desk, ticket, "consent", {"confirm": "on"})

    agreement = Agreement.objects.get(ticket=ticket)
    assert response.status_code == 302
    assert agreement.due_at == sh(2027, 3, 1, 10)
    assert (agreement.status, agreement.written_consent) == (AgreementStatus.ACCEPTED, True)
    assert clocks_of(ticket)[Metric.FIX].due_at == sh(2027, 3, 1, 10)


@pytest.mark.parametrize(
    ("key", "data", "check"),
    [
        ("note", {"body": "Internal"}, lambda t: t.messages.get().public is False),
        ("call", {"summary": "Called"}, lambda t: t.first_response_at is not None),
        ("wait", {"reason": "Logs please"}, lambda t: t.status == TicketStatus.WAITING),
        ("unsupported", {"reason": "Patched"}, lambda t: t.unsupported_build),
    ],
)
def test_actions_call_the_services(desk, open_ticket, key, data, check):
    ticket = open_ticket(now=MONDAY)

    response = post_action(desk, ticket, key, data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    ticket.refresh_from_db()
    assert check(ticket)


def test_assign_restore_downgrade_resolve_close(desk, open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    steps = [
        ("call", {"summary": "Called"}),
        ("assign", {"engineer": engineer.pk}),
        ("restore", {"note": "Workaround"}),
        ("downgrade", {"reason": "Stable now"}),
        ("resolve", {"note": "Patched"}),
        ("close", {"reason": ""}),
    ]
    for key, data in steps:
        response = post_action(desk, ticket, key, data)
        assert response.status_code == 302, (key, messages_of(response))

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("closed", "P2", engineer)


# --- agreements and remote sessions -----------------------------------------------------------


def test_agreement_and_session_pages(
    desk, open_ticket, engineer, contact, django_assert_max_num_queries
):
    ticket = busy_ticket(open_ticket, engineer, contact)
    busy_ticket(open_ticket, engineer, contact)
    agreement = Agreement.objects.filter(ticket=ticket).get()
    session = RemoteSession.objects.filter(ticket=ticket).get()
    urls = [
        reverse("admin:tickets_agreement_changelist"),
        reverse("admin:tickets_agreement_change", args=[agreement.pk]),
        reverse("admin:tickets_agreement_do", args=[agreement.pk, "consent"]),
        reverse("admin:tickets_agreement_do", args=[agreement.pk, "decline"]),
        reverse("admin:tickets_remotesession_changelist"),
        reverse("admin:tickets_remotesession_change", args=[session.pk]),
        reverse("admin:tickets_remotesession_do", args=[session.pk, "record"]),
        reverse("admin:tickets_remotesession_do", args=[session.pk, "cancel"]),
        reverse("admin:tickets_agreement_do", args=[agreement.pk, "withdraw"]),
    ]
    for url in urls:
        with django_assert_max_num_queries(6):
            assert desk.get(url).status_code == 200, url


def test_record_a_session_from_the_desk(desk, open_ticket, engineer, contact):
    ticket = busy_ticket(open_ticket, engineer, contact)
    session = RemoteSession.objects.get(ticket=ticket)
    url = reverse("admin:tickets_remotesession_do", args=[session.pk, "record"])

    with freeze_time("2026-11-24 02:40:00"):
        response = desk.post(url, {"next_steps": "Upgrade", "follow_up": "Wed call"})

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.next_steps) == ("done", "Upgrade")


def test_ticket_list_puts_breached_then_at_risk_before_the_nearest_due(desk):
    """docs/spec.md "Who uses it": support managers see breaches and at-risk clocks first. A
    breached ticket's next due time is that of a clock still running, often later than others'."""
    running_soon = TicketFactory(next_due_at=sh(2026, 11, 24, 9), sla_state="running")
    at_risk = TicketFactory(next_due_at=sh(2026, 11, 24, 12), sla_state="at_risk")
    breached = TicketFactory(next_due_at=sh(2026, 12, 30, 9), sla_state="breached")
    breached_no_running_clock = TicketFactory(next_due_at=None, sla_state="breached")

    response = desk.get(reverse("admin:tickets_ticket_changelist"))

    assert list(response.context["cl"].result_list) == [
        breached,
        breached_no_running_clock,
        at_risk,
        running_soon,
    ]


def test_ticket_page_marks_a_running_clock_past_75_percent_at_risk(desk, open_ticket):
    ticket = open_ticket(now=MONDAY)  # 5x8 P1: response due 2 service hours later
    response_clock = ticket.clocks.get(metric="response")

    with freeze_time(response_clock.at_risk_at + timedelta(minutes=1)):
        html = desk.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    assert '<span class="badge sla-at_risk">' in html
