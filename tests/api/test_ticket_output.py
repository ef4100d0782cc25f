"""The ticket list's and the detail's JSON, pinned: every field of a row, and the `sla` block for
a clock in each state (running, at risk by flag and by time, breached by the sweep and by time
alone, paused, met, not applicable with and without a due time, no clock). The list and the
detail must keep this exact output whatever builds it, and it must stay what
TicketSerializer, the schema's description of a ticket, says."""

import json
from datetime import timedelta

import pytest
from django.db.models import prefetch_related_objects

from tests.api.conftest import NOW
from tickets.api import TicketSerializer, ticket_prefetch
from tickets.models import Agreement, Clock, SlaState, Ticket
from tickets.selectors import tickets_for_user
from tickets.services import agreement_decline, ticket_assign

pytestmark = pytest.mark.usefixtures("frozen")

URL = "/api/v1/tickets/"
HOUR = timedelta(hours=1)


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def set_clock(ticket, metric, **values):
    assert Clock.objects.filter(ticket=ticket, metric=metric).update(**values) == 1


@pytest.fixture
def shown(world):
    """The four tickets of the world, with names, an assignee, a decided and an open proposal,
    and their clocks in every state the API shows."""
    engineer, acme = world.users["engineer"], world.users["acme"]
    engineer.first_name, engineer.last_name = "Sam", "Lee"
    engineer.save(update_fields=["first_name", "last_name"])
    acme.first_name, acme.last_name = "", ""  # shown by e-mail address
    acme.save(update_fields=["first_name", "last_name"])
    ticket_assign(ticket=world.acme_ticket, engineer=engineer, by=world.users["manager"], now=NOW)
    agreement_decline(agreement=world.proposal, by=acme, reason="Too late", now=NOW)
    Agreement.objects.filter(pk=world.proposal.pk).update(proposed_at=NOW - HOUR)
    Agreement.objects.create(
        ticket=world.acme_ticket,
        due_at=NOW + timedelta(days=10),
        reason="Patch in 5.9.2",
        proposed_by=engineer,
        proposed_at=NOW,
    )

    acme_ticket, answered = world.acme_ticket, world.acme_answered
    globex, initech = world.globex_ticket, world.initech_ticket
    # Met; at risk (flagged by the sweep); breached by time alone (not swept yet).
    set_clock(acme_ticket, "response", state=SlaState.MET, met_at=NOW - HOUR)
    set_clock(acme_ticket, "restore", due_at=NOW + 2 * HOUR, at_risk_flagged_at=NOW - HOUR)
    set_clock(acme_ticket, "fix", due_at=NOW - timedelta(minutes=1))
    # Breached (swept); paused; at risk by time alone (past its mark, not flagged yet).
    set_clock(answered, "response", state=SlaState.BREACHED, due_at=NOW - 3 * HOUR, met_at=None)
    set_clock(answered, "restore", state=SlaState.PAUSED)
    set_clock(answered, "fix", due_at=NOW + 5 * HOUR, at_risk_at=NOW - HOUR)
    # Running; not applicable without a due time (null); not applicable with one (shown).
    set_clock(globex, "response", due_at=NOW + HOUR, at_risk_at=NOW + HOUR / 2)
    set_clock(globex, "restore", state=SlaState.NOT_APPLICABLE, due_at=None)
    set_clock(globex, "fix", state=SlaState.NOT_APPLICABLE, due_at=NOW + 9 * HOUR)
    # No clock for a metric (null).
    Clock.objects.filter(ticket=initech, metric="fix").delete()
    return world


def listed(world, persona="staff") -> dict:
    body = world.client(persona).get(URL, {"page_size": 100}).json()
    return {row["id"]: row for row in body["results"]}


def test_a_listed_ticket_shows_every_field(shown):
    row = listed(shown)[shown.acme_ticket.pk]
    ticket = Ticket.objects.get(pk=shown.acme_ticket.pk)
    agreements = list(Agreement.objects.filter(ticket=ticket).order_by("-proposed_at"))

    assert list(row) == TicketSerializer.Meta.fields
    assert row == {
        "id": ticket.pk,
        "subject": "Cluster unstable",
        "contract": "ACME-1",
        "customer": "Acme",
        "tier": "5x8",
        "product": "emqx-enterprise",
        "version": "5.9",
        "priority": "P2",
        "original_priority": "P2",
        "status": ticket.status,
        "channel": "portal",
        "reporter": "alice@acme.example",
        "assignee": "Sam Lee",
        "opened_at": "2026-11-25T02:00:00Z",
        "first_response_at": "2026-11-25T02:00:00Z",
        "restored_at": None,
        "resolved_at": None,
        "closed_at": None,
        "next_due_at": _iso(ticket.next_due_at),
        "sla_state": ticket.sla_state,
        "sla": {
            "response": {"state": "met", "due_at": row["sla"]["response"]["due_at"],
                         "met_at": "2026-11-25T01:00:00Z"},
            "restore": {"state": "at_risk", "due_at": "2026-11-25T04:00:00Z", "met_at": None},
            "fix": {"state": "breached", "due_at": "2026-11-25T01:59:00Z", "met_at": None},
        },
        "description": "Cluster unstable: details.",
        "environment": "",
        "on_duty_name": "",
        "on_duty_phone": "",
        "unmodified_build": True,
        "unsupported_build": False,
        "fix_target": True,
        "attachments": [],
        "agreements": [
            {
                "id": agreements[0].pk,
                "due_at": "2026-12-05T02:00:00Z",
                "reason": "Patch in 5.9.2",
                "status": "proposed",
                "proposed_by": "Sam Lee",
                "proposed_at": "2026-11-25T02:00:00Z",
                "decided_by": None,
                "decided_at": None,
                "written_consent": False,
            },
            {
                "id": shown.proposal.pk,
                "due_at": "2026-12-15T02:00:00Z",
                "reason": "Needs a patch",
                "status": "declined",
                "proposed_by": "Sam Lee",
                "proposed_at": "2026-11-25T01:00:00Z",
                "decided_by": "alice@acme.example",
                "decided_at": "2026-11-25T02:00:00Z",
                "written_consent": False,
            },
        ],
    }  # fmt: skip
    assert row["sla"]["response"]["due_at"].endswith("Z")


def test_each_clock_state_as_listed(shown):
    rows = listed(shown)
    sla = {pk: rows[pk]["sla"] for pk in rows}

    answered, globex = shown.acme_answered.pk, shown.globex_ticket.pk
    assert sla[answered] == {
        "response": {"state": "breached", "due_at": "2026-11-24T23:00:00Z", "met_at": None},
        "restore": {"state": "paused", "due_at": sla[answered]["restore"]["due_at"],
                    "met_at": None},
        "fix": {"state": "at_risk", "due_at": "2026-11-25T07:00:00Z", "met_at": None},
    }  # fmt: skip
    assert sla[globex] == {
        "response": {"state": "running", "due_at": "2026-11-25T03:00:00Z", "met_at": None},
        "restore": None,
        "fix": {"state": "not_applicable", "due_at": "2026-11-25T11:00:00Z", "met_at": None},
    }
    initech = sla[shown.initech_ticket.pk]
    assert initech["fix"] is None
    assert initech["response"]["state"] == "running"


def test_the_attachments_listed_are_those_the_caller_may_download(shown):
    row = listed(shown, "acme")[shown.acme_answered.pk]

    assert row["attachments"] == [
        {
            "id": shown.acme_file.pk,
            "name": "broker.log",
            "size": 33,
            "content_type": shown.acme_file.content_type,
            "message": None,
            "uploaded_by": "alice@acme.example",
            "uploaded_at": "2026-11-25T02:00:00Z",
        }
    ]


@pytest.mark.parametrize("persona", ["staff", "acme", "partner"])
def test_the_list_and_the_detail_say_what_the_serializer_says(shown, persona):
    """Byte for byte: the same keys in the same order, the same values and formats."""
    client = shown.client(persona)
    body = client.get(URL, {"page_size": 100}).json()
    user = shown.users[persona]
    tickets = list(tickets_for_user(user).filter(pk__in=[row["id"] for row in body["results"]]))
    tickets.sort(key=lambda t: [row["id"] for row in body["results"]].index(t.pk))
    prefetch_related_objects(tickets, *ticket_prefetch(user))
    expected = TicketSerializer(tickets, many=True, context={"now": NOW}).data

    assert body["results"]
    assert json.dumps(body["results"]) == json.dumps(expected)
    for row in body["results"]:
        detail = client.get(f"{URL}{row['id']}/")
        assert json.dumps(detail.json()) == json.dumps(row)
