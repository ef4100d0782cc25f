"""Tickets through the API: opening with SLA clocks, refusals with the services' reasons, the
thread, attachments, agreements, support's actions, filters, pagination and query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from freezegun import freeze_time

from contracts.models import Product, ProductVersion
from contracts.services import entitlement_check
from tests.api.conftest import NOW
from tests.factories import CustomerUserFactory
from tickets.models import AgreementStatus, SlaState, Ticket
from tickets.services import ticket_open
from tickets.sla.summary import ticket_refresh_sla

pytestmark = pytest.mark.usefixtures("frozen")

URL = "/api/v1/tickets/"


def ticket_data(**overrides) -> dict:
    data = {
        "contract": "ACME-1",
        "product": "emqx-enterprise",
        "version": "5.9",
        "priority": "P1",
        "subject": "Broker refuses connections",
        "description": "All clients are disconnected since 09:40.",
        "environment": "3 nodes, Kubernetes",
        "channel": "portal",
        "unmodified_build": True,
    }
    data.update(overrides)
    return data


# --- opening ----------------------------------------------------------------------------------


def test_open_a_ticket_returns_it_with_its_clocks(world):
    response = world.client("acme").post(URL, ticket_data(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["contract"] == "ACME-1"
    assert body["status"] == "new"
    assert body["reporter"]
    # 5x8 P1 opened Wed 10:00 Shanghai: response 2 h, restore 8 h, fix 50 working days.
    assert body["sla"]["response"] == {
        "state": "running",
        "due_at": "2026-11-25T04:00:00Z",
        "met_at": None,
    }
    assert body["sla"]["restore"]["due_at"] == "2026-11-26T01:00:00Z"
    assert body["sla"]["fix"]["state"] == "running"
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.reporter == world.users["acme"]


def test_metrics_without_a_target_are_null(world):
    response = world.client("acme").post(URL, ticket_data(priority="P4"), format="json")
    assert response.status_code == 201
    sla = response.json()["sla"]
    assert sla["response"]["state"] == "running"
    assert sla["restore"] is None
    assert sla["fix"] is None


def test_version_past_end_of_maintenance_has_no_fix_clock(world):
    response = world.client("acme").post(URL, ticket_data(version="5.7"), format="json")
    assert response.status_code == 201
    assert response.json()["fix_target"] is False
    assert response.json()["sla"]["fix"] is None


def test_7x24_ticket_with_its_on_duty_contact(world):
    response = world.client("globex").post(
        URL,
        ticket_data(
            contract="GLOBEX-1", channel="phone", on_duty_name="Gina", on_duty_phone="+86 1"
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["on_duty_name"] == "Gina"
    assert response.json()["tier"] == "7x24"


def entitlement_reason(world, persona, *, contract, product, version):
    """The service's refusal, in the persona's language as the API gives it."""
    user = world.users[persona]
    product = Product.objects.get(code=product)
    version = ProductVersion.objects.get(product=product, name=version)
    with translation.override(user.language):
        answer = entitlement_check(
            user=user, contract=contract, product=product, version=version, now=NOW
        )
    assert not answer.allowed
    return answer


@pytest.mark.parametrize(
    ("product", "version", "code"),
    [
        ("emqx-broker", "5.9", "community_only"),
        ("emqx-enterprise", "4.4", "version_end_of_support"),
        ("emqx-platform", "5.9", "product_not_covered"),
    ],
)
def test_entitlement_refusals_are_400_with_the_services_reason(world, product, version, code):
    response = world.client("acme").post(
        URL, ticket_data(product=product, version=version), format="json"
    )
    assert response.status_code == 400
    answer = entitlement_reason(
        world, "acme", contract=world.acme_contract, product=product, version=version
    )
    assert response.json()["code"] == answer.code == code
    assert response.json()["detail"] == answer.reason
    assert response.json().get("extra", {}) == answer.community_links


def test_community_product_refusal_points_to_the_community(world):
    response = world.client("acme").post(
        URL, ticket_data(product="emqx-broker", version="5.9"), format="json"
    )
    assert set(response.json()["extra"]) == {"docs", "knowledge_base", "forum"}


def test_a_user_who_is_not_a_named_contact_is_refused_with_the_reason(world):
    world.add("bob", CustomerUserFactory(customer=world.acme_contract.customer))
    response = world.client("bob").post(URL, ticket_data(), format="json")
    assert response.status_code == 400
    answer = entitlement_reason(
        world, "bob", contract=world.acme_contract, product="emqx-enterprise", version="5.9"
    )
    assert response.json() == {"detail": answer.reason, "code": "not_named_contact"}


def test_an_inactive_contract_is_refused_with_the_reason(world):
    world.acme_contract.status = "suspended"
    world.acme_contract.save(update_fields=["status"])
    response = world.client("acme").post(URL, ticket_data(), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "suspended"
    assert "ACME-1" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"unmodified_build": False}, "modified_build", "unmodified_build"),
        ({"subject": "  "}, "required", "subject"),
    ],
)
def test_ticket_rules_are_400_with_the_services_reason_and_field(world, overrides, code, field):
    response = world.client("acme").post(URL, ticket_data(**overrides), format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["detail"]


def test_7x24_without_on_duty_contact_is_refused_with_the_reason(world):
    response = world.client("globex").post(URL, ticket_data(contract="GLOBEX-1"), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "on_duty_required"
    assert "7x24" in response.json()["detail"] or "24" in response.json()["detail"]


def test_unknown_version_is_a_field_error(world):
    response = world.client("acme").post(URL, ticket_data(version="9.9"), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "version"


def test_another_organisations_contract_cannot_be_chosen(world):
    response = world.client("globex").post(URL, ticket_data(), format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "contract"
    assert Ticket.objects.filter(contract=world.acme_contract).count() == 2


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "subjects"),
    [
        ("acme", {"Cluster unstable", "Slow subscriptions"}),
        ("globex", {"Broker down"}),
        ("partner", {"Rule engine question"}),
        ("outsider", set()),
    ],
)
def test_tickets_are_scoped_to_the_caller(world, persona, subjects):
    body = world.client(persona).get(URL).json()
    assert {t["subject"] for t in body["results"]} == subjects


def test_another_organisations_ticket_is_404_everywhere(world):
    pk = world.acme_ticket.pk
    client = world.client("globex")
    assert client.get(f"{URL}{pk}/").status_code == 404
    assert client.get(f"{URL}{pk}/messages/").status_code == 404
    assert client.post(f"{URL}{pk}/messages/", {"body": "hi"}, format="json").status_code == 404
    assert client.post(f"{URL}{pk}/agreement/accept/", {}, format="json").status_code == 404


def test_an_id_past_the_databases_integers_is_404_not_an_error(world):
    response = world.client("staff").get(f"{URL}{'9' * 30}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_partner_reads_but_cannot_write_on_tickets_it_sold(world):
    pk = world.initech_ticket.pk
    client = world.client("partner")
    assert client.get(f"{URL}{pk}/").status_code == 200
    response = client.post(f"{URL}{pk}/messages/", {"body": "hi"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_list_is_paginated(world):
    body = world.client("staff").get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4
    assert body["next"] is None


def test_filters(world):
    client = world.client("staff")

    def subjects(**params):
        return {t["subject"] for t in client.get(URL, params).json()["results"]}

    assert subjects(priority="P1") == {"Broker down"}
    assert subjects(contract="GLOBEX-1") == {"Broker down"}
    assert subjects(status="in_progress") == {"Cluster unstable", "Slow subscriptions"}
    assert subjects(status="new") == {"Broker down", "Rule engine question"}
    assert subjects(sla_state="running") == {
        "Cluster unstable",
        "Slow subscriptions",
        "Broker down",
        "Rule engine question",
    }
    assert subjects(sla_state="breached") == set()


def test_breached_and_at_risk_filters_follow_the_clocks(world):
    # Two hours and a half later, Globex's P1 response (1 h) is breached.
    client = world.client("staff")
    with freeze_time(NOW + timedelta(hours=2, minutes=30)):
        ticket_refresh_sla(world.globex_ticket, NOW + timedelta(hours=2, minutes=30))
        body = client.get(URL, {"sla_state": "breached"}).json()
        detail = client.get(f"{URL}{world.globex_ticket.pk}/").json()
    assert [t["subject"] for t in body["results"]] == ["Broker down"]
    assert detail["sla"]["response"]["state"] == "breached"


def test_ordering_by_due_and_opened(world):
    client = world.client("staff")
    due = [t["next_due_at"] for t in client.get(URL, {"ordering": "due"}).json()["results"]]
    assert due == sorted(due)
    later = ticket_open(
        contract=world.acme_contract,
        reporter=world.users["acme"],
        product=world.enterprise,
        version=world.version,
        priority="P4",
        subject="Later",
        description="x",
        unmodified_build=True,
        now=NOW + timedelta(minutes=5),
    )
    first = client.get(URL, {"ordering": "-opened"}).json()["results"][0]
    assert first["id"] == later.pk


def test_bad_filter_value_is_400(world):
    response = world.client("staff").get(URL, {"sla_state": "sideways"})
    assert response.status_code == 400
    assert response.json()["field"] == "sla_state"


def test_list_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    client = world.client("staff")
    log = SimpleUploadedFile("a.log", b"line\n")
    client.post(f"{URL}{world.acme_ticket.pk}/attachments/", {"file": log}, format="multipart")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).json()["results"]) == 4
    for n in range(21):
        ticket_open(
            contract=world.acme_contract,
            reporter=world.users["acme"],
            product=world.enterprise,
            version=world.version,
            priority="P3",
            subject=f"Bulk {n}",
            description="x",
            unmodified_build=True,
            now=NOW,
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 25
    # token and user, the staff member's role, count, the page's ids, its rows, clocks,
    # attachments, agreements
    assert len(few.captured_queries) == 8


@pytest.mark.parametrize(("persona", "queries"), [("staff", 6), ("acme", 5)])
def test_the_detail_takes_a_fixed_number_of_queries(
    world, django_assert_num_queries, persona, queries
):
    # token and user, (staff) the role, the ticket with its names, clocks, attachments,
    # agreements: whatever the ticket holds (it has an agreement, messages, a session)
    with django_assert_num_queries(queries):
        response = world.client(persona).get(f"{URL}{world.acme_ticket.pk}/")
    assert response.json()["agreements"]


# --- the thread -------------------------------------------------------------------------------


def test_customers_see_public_messages_only(world):
    pk = world.acme_ticket.pk
    customer = world.client("acme").get(f"{URL}{pk}/messages/").json()
    staff = world.client("staff").get(f"{URL}{pk}/messages/").json()
    assert [m["body"] for m in customer] == ["Looking into it."]
    assert [m["body"] for m in staff] == ["Looking into it.", "Internal: check disk."]
    assert staff[1]["public"] is False
    assert staff[1]["kind"] == "note"


def test_staff_write_internal_notes_customers_cannot(world):
    pk = world.acme_ticket.pk
    note = {"body": "Escalate to R&D.", "public": False}
    response = world.client("staff").post(f"{URL}{pk}/messages/", note, format="json")
    assert response.status_code == 201
    assert response.json()["public"] is False
    response = world.client("acme").post(f"{URL}{pk}/messages/", note, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_empty_message_is_400_with_the_reason(world):
    response = world.client("acme").post(
        f"{URL}{world.acme_ticket.pk}/messages/", {"body": " "}, format="json"
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "body")


def test_upload_an_attachment(world):
    pk = world.acme_ticket.pk
    log = SimpleUploadedFile("emqx.log", b"2026-11-25T09:40:00 [error] node down\n")
    response = world.client("acme").post(
        f"{URL}{pk}/attachments/", {"file": log}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "emqx.log"
    detail = world.client("acme").get(f"{URL}{pk}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["emqx.log"]


def test_an_executable_attachment_is_400_with_the_reason(world):
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03")
    response = world.client("acme").post(
        f"{URL}{world.acme_ticket.pk}/attachments/", {"file": exe}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "attachment_type"
    assert response.json()["detail"]


def test_attachment_without_file_is_400(world):
    response = world.client("acme").post(
        f"{URL}{world.acme_ticket.pk}/attachments/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"


# --- agreements -------------------------------------------------------------------------------


def test_customer_accepts_the_proposed_time(world):
    pk = world.acme_ticket.pk
    response = world.client("acme").post(f"{URL}{pk}/agreement/accept/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == AgreementStatus.ACCEPTED
    fix = world.client("acme").get(f"{URL}{pk}/").json()["sla"]["fix"]
    assert fix["due_at"] == "2026-12-15T02:00:00Z"


def test_customer_declines_the_proposed_time(world):
    pk = world.acme_ticket.pk
    response = world.client("acme").post(
        f"{URL}{pk}/agreement/decline/", {"reason": "Too late for us."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == AgreementStatus.DECLINED


def test_staff_accept_with_written_consent_only(world):
    pk = world.acme_ticket.pk
    response = world.client("staff").post(f"{URL}{pk}/agreement/accept/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    response = world.client("staff").post(
        f"{URL}{pk}/agreement/accept/", {"written_consent": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["written_consent"] is True


def test_no_proposal_waiting_is_404(world):
    pk = world.acme_answered.pk
    response = world.client("acme").post(f"{URL}{pk}/agreement/accept/", {}, format="json")
    assert response.status_code == 404


def test_a_decided_proposal_cannot_be_decided_again(world):
    pk = world.acme_ticket.pk
    world.client("acme").post(f"{URL}{pk}/agreement/decline/", {}, format="json")
    response = world.client("acme").post(f"{URL}{pk}/agreement/accept/", {}, format="json")
    assert response.status_code == 404


# --- support's actions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action", ["respond", "restore", "resolve", "downgrade", "propose-agreement"]
)
@pytest.mark.parametrize("persona", ["acme", "globex", "partner", "outsider"])
def test_support_actions_are_403_for_everyone_else(world, action, persona):
    response = world.client(persona).post(f"{URL}{world.acme_ticket.pk}/{action}/", {})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_respond_meets_the_response_clock(world):
    pk = world.globex_ticket.pk
    response = world.client("staff").post(
        f"{URL}{pk}/respond/", {"body": "We are on it."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["public"] is True
    sla = world.client("globex").get(f"{URL}{pk}/").json()["sla"]
    assert sla["response"]["state"] == SlaState.MET
    assert sla["response"]["met_at"] == "2026-11-25T02:00:00Z"


def test_restore_before_any_response_is_400_with_the_reason(world):
    response = world.client("staff").post(f"{URL}{world.globex_ticket.pk}/restore/", {})
    assert response.status_code == 400
    assert response.json()["code"] == "no_first_response"


def test_restore_then_resolve(world):
    pk = world.acme_ticket.pk
    client = world.client("staff")
    body = client.post(f"{URL}{pk}/restore/", {"note": "Workaround"}, format="json").json()
    assert body["status"] == "restored"
    assert body["sla"]["restore"]["state"] == "met"
    body = client.post(f"{URL}{pk}/resolve/", {}, format="json").json()
    assert body["status"] == "resolved"
    assert body["sla"]["fix"]["state"] == "met"
    response = client.post(f"{URL}{pk}/resolve/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "ticket_not_open"


def test_downgrade_one_level_with_a_reason(world):
    pk = world.acme_ticket.pk
    client = world.client("staff")
    response = client.post(f"{URL}{pk}/downgrade/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "reason")
    body = client.post(f"{URL}{pk}/downgrade/", {"reason": "One node only"}, format="json").json()
    assert (body["priority"], body["original_priority"]) == ("P3", "P2")


def test_propose_an_agreement(world):
    pk = world.acme_answered.pk
    client = world.client("staff")
    response = client.post(
        f"{URL}{pk}/propose-agreement/",
        {"due_at": "2026-11-20T10:00:00+08:00", "reason": "Patch"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "due_in_past"
    response = client.post(
        f"{URL}{pk}/propose-agreement/",
        {"due_at": "2026-12-24T10:00:00+08:00", "reason": "Patch"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == AgreementStatus.PROPOSED
    assert response.json()["due_at"] == "2026-12-24T02:00:00Z"
    detail = world.client("acme").get(f"{URL}{pk}/").json()
    assert [a["status"] for a in detail["agreements"]] == ["proposed"]


def test_a_second_open_proposal_is_400_with_the_reason(world):
    response = world.client("staff").post(
        f"{URL}{world.acme_ticket.pk}/propose-agreement/",
        {"due_at": "2026-12-24T10:00:00+08:00", "reason": "Patch"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "agreement_open"


def test_the_api_records_its_own_channel_whatever_the_client_sends(world, frozen):
    response = world.client("acme").post(
        URL,
        {
            "contract": "ACME-1",
            "product": "emqx-enterprise",
            "version": "5.9",
            "priority": "P3",
            "subject": "Disconnects",
            "description": "Clients drop every hour.",
            "unmodified_build": True,
            "channel": "phone",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "api"
