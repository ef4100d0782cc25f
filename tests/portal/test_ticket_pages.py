"""The customer's ticket pages: list, new ticket, ticket page and its actions, downloads."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from contracts.models import ContractStatus
from sla.models import Metric, Priority
from tests.factories import ContactFactory, ContractFactory, CustomerUserFactory
from tests.portal.conftest import OPENED, log_file, open_ticket
from tickets.models import (
    AgreementStatus,
    MessageKind,
    RemoteSession,
    SlaState,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.services import message_post, ticket_downgrade, ticket_wait_for_customer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 11:00 in Shanghai


def html_of(response) -> str:
    return response.content.decode()


# --- list ---------------------------------------------------------------------------------------


def test_everyone_in_the_organisation_sees_its_tickets(world, login):
    html = html_of(login(world.acme_colleague).get(reverse("portal:ticket-list")))
    assert f"#{world.acme_ticket.pk}" in html
    assert "Broker refuses connections" in html
    assert f"#{world.globex_ticket.pk}<" not in html
    assert 'class="badge sla-' in html


def _many_tickets(world, count):
    for i in range(count):
        open_ticket(
            world.acme_contract,
            world.acme_user,
            world.version,
            priority=Priority.P3 if i % 2 else Priority.P2,
            subject=f"Ticket number {i}",
        )


def test_list_filters_by_status_priority_and_sla_state(world, login):
    _many_tickets(world, 3)
    client = login(world.acme_user)
    p1 = html_of(client.get(reverse("portal:ticket-list"), {"priority": "P1"}))
    assert "Broker refuses connections" in p1
    assert "Ticket number" not in p1
    p3 = html_of(client.get(reverse("portal:ticket-list"), {"priority": "P3"}))
    assert "Ticket number 1" in p3
    assert "Ticket number 0" not in p3
    closed = html_of(client.get(reverse("portal:ticket-list"), {"status": "closed"}))
    assert "No ticket matches these filters." in closed
    breached = html_of(client.get(reverse("portal:ticket-list"), {"sla_state": "breached"}))
    assert "No ticket matches these filters." in breached


def test_list_searches_subject_and_ticket_number(world, login):
    _many_tickets(world, 2)
    client = login(world.acme_user)
    html = html_of(client.get(reverse("portal:ticket-list"), {"search": "number 1"}))
    assert "Ticket number 1" in html
    assert "Ticket number 0" not in html
    html = html_of(
        client.get(reverse("portal:ticket-list"), {"search": f"#{world.acme_ticket.pk}"})
    )
    assert "Broker refuses connections" in html


def test_list_sorts_and_paginates(world, login):
    _many_tickets(world, 30)
    client = login(world.acme_user)
    first = html_of(client.get(reverse("portal:ticket-list"), {"ordering": "-opened"}))
    assert "1–25 of 31" in first
    assert 'rel="next"' in first
    second = html_of(client.get(reverse("portal:ticket-list"), {"ordering": "-opened", "page": 2}))
    assert "26–31 of 31" in second
    assert "ordering=-opened" in second  # page links keep the filters


def test_list_of_an_organisation_without_tickets_invites_to_open_one(login):
    user = ContactFactory().user
    html = html_of(login(user).get(reverse("portal:ticket-list")))
    assert "Your organisation has no ticket yet." in html


# --- new ticket ---------------------------------------------------------------------------------


def _form(world, **changes):
    data = {
        "contract": world.acme_contract.pk,
        "version": world.version.pk,
        "priority": "P1",
        "subject": "Cluster down",
        "description": "No client can connect since 10:00.",
        "environment": "3 nodes, Kubernetes",
        "unmodified_build": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_new_ticket_form_shows_the_priority_definitions_and_covered_versions_only(world, login):
    html = html_of(login(world.acme_user).get(reverse("portal:ticket-create")))
    assert "The database server is down and all users are affected." in html
    assert "One user cannot connect to the server." in html
    assert "response 2 business hours · restore 8 business hours · fix 50 working days" in html
    assert 'label="EMQX Enterprise"' in html
    assert 'label="EMQX Platform"' not in html  # not on Acme's contract
    assert "4.4 (end of support)" in html
    assert "portal, QQ, WeChat, e-mail" in html  # the 5x8 channels
    assert "I confirm the software is neither modified nor recompiled." in html
    assert 'type="file" name="attachments" multiple' in html


def test_opening_a_p1_ticket_with_attachments(world, login):
    client = login(world.acme_user)
    data = _form(world)
    data["attachments"] = [log_file("a.log"), log_file("b.txt", "second file\n")]
    response = client.post(reverse("portal:ticket-create"), data)
    ticket = Ticket.objects.get(subject="Cluster down")
    assert response["Location"] == reverse("portal:ticket-detail", kwargs={"pk": ticket.pk})
    assert ticket.priority == Priority.P1
    assert ticket.reporter == world.acme_user
    assert sorted(ticket.attachments.values_list("name", flat=True)) == ["a.log", "b.txt"]
    page = html_of(client.get(response["Location"]))
    assert f"Ticket #{ticket.pk} is open." in page
    assert "(Asia/Shanghai)" in page


def test_opening_refuses_a_build_not_declared_unmodified(world, login):
    response = login(world.acme_user).post(
        reverse("portal:ticket-create"), _form(world, unmodified_build=None)
    )
    assert response.status_code == 200
    assert "Commercial support covers unmodified software only." in html_of(response)
    assert not Ticket.objects.filter(subject="Cluster down").exists()


def test_opening_refuses_a_version_past_end_of_support_and_says_what_to_do(world, login):
    response = login(world.acme_user).post(
        reverse("portal:ticket-create"), _form(world, version=world.old_version.pk)
    )
    html = html_of(response)
    assert "reached its end of support" in html
    assert "Upgrade to a supported version" in html


def test_a_community_only_product_is_refused_with_community_links(world, login):
    world.acme_contract.products.add(world.broker)
    broker_version = world.broker.versions.get(name="5.9")
    response = login(world.acme_user).post(
        reverse("portal:ticket-create"), _form(world, version=broker_version.pk)
    )
    html = html_of(response)
    assert "EMQX Broker has community support only" in html
    assert world.broker.forum_url in html
    assert world.broker.docs_url in html


def test_7x24_form_asks_for_the_on_duty_contact(world, login):
    client = login(world.globex_user)
    html = html_of(client.get(reverse("portal:ticket-create")))
    assert "On-duty contact (7x24)" in html
    assert f'data-always-open="{world.globex_contract.pk}"' in html
    data = _form(world, contract=world.globex_contract.pk)
    response = client.post(reverse("portal:ticket-create"), data)
    assert "needs the name and phone of a contact reachable at any time" in html_of(response)
    data.update(on_duty_name="Night Ops", on_duty_phone="+49 30 1234")
    response = client.post(reverse("portal:ticket-create"), data)
    assert response.status_code == 302
    assert Ticket.objects.get(subject="Cluster down").on_duty_name == "Night Ops"


def test_pending_contract_is_explained_before_submitting(world, login):
    contract = ContractFactory(
        number="NEW-1", status=ContractStatus.PENDING, products=[world.enterprise]
    )
    user = ContactFactory(contract=contract).user
    html = html_of(login(user).get(reverse("portal:ticket-create")))
    assert "Contract NEW-1 has not been verified yet" in html
    assert "You cannot open a ticket at the moment." in html
    assert 'name="subject"' not in html


def test_no_contract_at_all_is_explained(login):
    user = CustomerUserFactory()
    html = html_of(login(user).get(reverse("portal:ticket-create")))
    assert "Your organisation has no support contract." in html
    assert "EMQX Broker" in html  # where to go for community products


def test_colleague_who_is_not_a_named_contact_is_told_before_submitting(world, login):
    html = html_of(login(world.acme_colleague).get(reverse("portal:ticket-create")))
    assert "Only the named support contacts of contract ACME-5X8 can open tickets." in html


def test_refused_attachment_is_a_field_error(world, login):
    data = _form(world)
    data["attachments"] = [SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/x-dos")]
    response = login(world.acme_user).post(reverse("portal:ticket-create"), data)
    assert "this type of file is not accepted" in html_of(response)
    assert not Ticket.objects.filter(subject="Cluster down").exists()


def test_a_contract_of_another_organisation_cannot_be_chosen(world, login):
    response = login(world.acme_user).post(
        reverse("portal:ticket-create"), _form(world, contract=world.globex_contract.pk)
    )
    assert "Select a valid choice" in html_of(response)


# --- ticket page -------------------------------------------------------------------------------


@freeze_time(NOW)
def test_ticket_page_shows_clocks_with_local_due_times_and_a_countdown(world, login):
    html = html_of(
        login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    )
    clocks = {c.metric: c for c in world.acme_ticket.clocks.all()}
    # Opened Mon 10:00 Shanghai, P1 5x8: response due 12:00, restore due next day 09:00.
    assert "2026-11-23 12:00 (Asia/Shanghai)" in html
    assert "2026-11-24 09:00 (Asia/Shanghai)" in html
    assert f'data-countdown="{clocks[Metric.FIX].due_at.isoformat()}"' in html
    assert "js/countdown.js" in html
    # Restore is past due on Wednesday: breached, even before the sweep flags it.
    assert 'class="clock state-breached" data-metric="restore"' in html
    assert 'class="clock state-met" data-metric="response"' in html


def test_ticket_page_shows_the_public_thread_only(world, login):
    message_post(
        ticket=world.acme_ticket,
        author=world.engineer,
        body="Internal: customer runs a patched build?",
        public=False,
        attachments=[log_file("secret.log")],
        now=OPENED + timedelta(hours=2),
    )
    html = html_of(
        login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    )
    assert "We are looking at the logs." in html
    assert "Internal: customer runs" not in html
    assert "secret.log" not in html
    assert "emqx.log" in html


def test_paused_clocks_are_marked_while_waiting_for_the_customer(world, login):
    ticket_wait_for_customer(
        ticket=world.acme_ticket,
        by=world.engineer,
        reason="Please send the broker logs.",
        now=OPENED + timedelta(hours=1),
    )
    html = html_of(
        login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    )
    assert "Waiting for you." in html
    assert 'class="clock state-paused" data-metric="restore"' in html
    assert "Paused since 2026-11-23 11:00 (Asia/Shanghai)" in html
    assert "Please send the broker logs." in html  # the reason, in the history


def test_history_shows_priority_changes_with_reasons(world, login):
    ticket_downgrade(
        ticket=world.acme_ticket,
        by=world.engineer,
        reason="Only the test cluster is affected.",
        now=OPENED + timedelta(hours=1),
    )
    html = html_of(
        login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    )
    assert "P1 urgent → P2 high" in html
    assert "Only the test cluster is affected." in html
    assert "Original priority" in html


def test_reply_with_attachment_is_added_to_the_thread(world, login):
    client = login(world.acme_user)
    url = reverse("portal:ticket-reply", args=[world.acme_ticket.pk])
    response = client.post(url, {"body": "Logs attached.", "attachments": [log_file("n.log")]})
    assert response["Location"] == reverse("portal:ticket-detail", args=[world.acme_ticket.pk])
    message = world.acme_ticket.messages.latest("pk")
    assert message.body == "Logs attached."
    assert message.author == world.acme_user
    assert list(message.attachments.values_list("name", flat=True)) == ["n.log"]


def test_empty_reply_is_refused_with_a_message(world, login):
    response = login(world.acme_user).post(
        reverse("portal:ticket-reply", args=[world.acme_ticket.pk]), {"body": ""}
    )
    assert response.status_code == 200
    assert "This field is required." in html_of(response)


def test_customer_reply_ends_the_wait(world, login):
    ticket_wait_for_customer(
        ticket=world.acme_ticket, by=world.engineer, reason="Logs?", now=timezone.now()
    )
    login(world.acme_user).post(
        reverse("portal:ticket-reply", args=[world.acme_ticket.pk]), {"body": "Here."}
    )
    world.acme_ticket.refresh_from_db()
    assert world.acme_ticket.status == TicketStatus.IN_PROGRESS


def test_accepting_a_proposed_resolution_time(world, login):
    client = login(world.acme_user)
    page = html_of(client.get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk])))
    assert "Support proposes to resolve this issue by" in page
    assert "2027-01-15 18:00 (Asia/Shanghai)" in page
    response = client.post(
        reverse("portal:agreement-accept", args=[world.acme_ticket.pk, world.acme_agreement.pk]),
        follow=True,
    )
    assert "You accepted the new resolution time." in html_of(response)
    world.acme_agreement.refresh_from_db()
    assert world.acme_agreement.status == AgreementStatus.ACCEPTED
    fix = world.acme_ticket.clocks.get(metric=Metric.FIX)
    assert fix.due_at == world.acme_agreement.due_at
    assert fix.agreed


def test_declining_a_proposed_resolution_time_with_a_reason(world, login):
    response = login(world.acme_user).post(
        reverse("portal:agreement-decline", args=[world.acme_ticket.pk, world.acme_agreement.pk]),
        {"reason": "Too late for our launch."},
        follow=True,
    )
    assert "You declined the proposal" in html_of(response)
    world.acme_agreement.refresh_from_db()
    assert world.acme_agreement.status == AgreementStatus.DECLINED
    assert TicketEvent.objects.filter(reason="Too late for our launch.").exists()


def test_a_colleague_who_is_not_a_named_contact_cannot_accept(world, login):
    response = login(world.acme_colleague).post(
        reverse("portal:agreement-accept", args=[world.acme_ticket.pk, world.acme_agreement.pk]),
        follow=True,
    )
    assert "Only a named support contact of contract ACME-5X8 can accept." in html_of(response)
    world.acme_agreement.refresh_from_db()
    assert world.acme_agreement.status == AgreementStatus.PROPOSED


@freeze_time(NOW)
def test_remote_session_slot_is_read_in_the_contracts_zone(world, login):
    response = login(world.acme_user).post(
        reverse("portal:remote-session-request", args=[world.acme_ticket.pk]),
        {
            "starts_at": "2026-11-26T14:00",
            "duration_minutes": "30",
            "project_context": "3 nodes, 5.9, clients drop",
        },
    )
    assert response.status_code == 302
    session = RemoteSession.objects.latest("pk")
    assert session.starts_at == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 14:00 Shanghai
    assert session.project_context == "3 nodes, 5.9, clients drop"


@freeze_time(NOW)
def test_remote_session_outside_service_hours_is_refused_with_the_hours(world, login):
    response = login(world.acme_user).post(
        reverse("portal:remote-session-request", args=[world.acme_ticket.pk]),
        {"starts_at": "2026-11-28T10:00", "duration_minutes": "30", "project_context": "x"},
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "Remote sessions take place inside the service hours of contract ACME-5X8" in html
    assert 'id="remote-sessions"' in html and "<details open>" in html


def test_next_steps_of_past_sessions_are_shown(world, login):
    html = html_of(
        login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    )
    assert "Upgrade to 5.8.1 and send the new logs." in html
    assert "Call on Friday." in html


# --- downloads ----------------------------------------------------------------------------------


def test_attachment_downloads_as_a_file(world, login):
    response = login(world.acme_colleague).get(
        reverse("portal:attachment-download", args=[world.acme_attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="emqx.log"'
    assert b"".join(response.streaming_content) == b"2026-11-23 broker crashed\n"


def test_attachment_of_an_internal_note_is_not_downloadable_by_the_customer(world, login):
    note = message_post(
        ticket=world.acme_ticket,
        author=world.engineer,
        body="internal",
        public=False,
        attachments=[log_file("secret.log")],
        now=timezone.now(),
    )
    assert note.kind == MessageKind.NOTE
    url = reverse("portal:attachment-download", args=[note.attachments.get().pk])
    assert login(world.acme_user).get(url).status_code == 404


def test_no_mail_is_needed_to_read_a_ticket(world, login):
    mail.outbox.clear()
    login(world.acme_user).get(reverse("portal:ticket-detail", args=[world.acme_ticket.pk]))
    assert mail.outbox == []
    assert SlaState.RUNNING  # the import is used by the badges
