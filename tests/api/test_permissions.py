"""Who gets what from every endpoint: one row per operation of the OpenAPI schema, one status
per persona (tests/api/conftest.py). An operation added to the API without a row here fails
test_every_operation_has_a_row.

Objects are Acme's (contract ACME-1, its answered ticket with a proposal waiting): another
organisation gets 404, never 403; staff-only actions are 403 for everyone else; anonymous
requests are 401.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import PERSONAS
from tests.api.schema import assert_conforms, operations
from tests.api.test_contracts import subscription
from tests.factories import PASSWORD, current_totp_code


@dataclass
class Row:
    path: str  # the URL with the schema's placeholders filled from the world
    expected: dict[str, int]
    data: Any = None  # a dict, or a function(world, persona) -> dict
    format: str = "json"


def statuses(
    *, acme, globex=404, partner=404, outsider=404, staff, manager=None, anonymous=401
) -> dict:
    """`staff` is the engineer's status (the manager's too unless given); staff without a role
    get what a user of no organisation gets."""
    return {
        "acme": acme,
        "globex": globex,
        "partner": partner,
        "outsider": outsider,
        "engineer": staff,
        "manager": staff if manager is None else manager,
        "roleless": outsider,
        "anonymous": anonymous,
    }


EVERYONE_200 = statuses(acme=200, globex=200, partner=200, outsider=200, staff=200)
ACME_AND_STAFF_200 = statuses(acme=200, staff=200)


def staff_only(code: int) -> dict:
    return statuses(acme=403, globex=403, partner=403, outsider=403, staff=code)


def partner_only(code: int) -> dict:
    return statuses(acme=403, globex=403, partner=code, outsider=403, staff=403)


def token_body(world, persona):
    if persona == "anonymous":
        return {"username": "nobody@nowhere.example", "password": "wrong"}
    body = {"username": world.users[persona].email, "password": PASSWORD}
    if persona in ("engineer", "manager"):
        body["otp_token"] = current_totp_code(world.users[persona])
    return body


def new_ticket(world, persona):
    return {
        "contract": "ACME-1",
        "product": "emqx-enterprise",
        "version": "5.9",
        "priority": "P3",
        "subject": "Disconnects",
        "description": "Clients drop every hour.",
        "unmodified_build": True,
    }


def upload(world, persona):
    return {"file": SimpleUploadedFile("broker.log", b"2026-11-25 ERROR lost connection\n")}


MATRIX: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/auth/token/"): Row(
        "/api/v1/auth/token/",
        statuses(acme=200, globex=200, partner=200, outsider=200, staff=200, anonymous=400),
        token_body,
    ),
    ("GET", "/api/v1/auth/tokens/"): Row("/api/v1/auth/tokens/", EVERYONE_200),
    # Acme's own token: revoked by Acme; anyone else's request finds no such token of theirs.
    ("DELETE", "/api/v1/auth/tokens/{token_key}/"): Row(
        "/api/v1/auth/tokens/{acme_token_key}/", statuses(acme=204, staff=404)
    ),
    ("GET", "/api/v1/contracts/"): Row("/api/v1/contracts/", EVERYONE_200),
    ("GET", "/api/v1/contracts/{number}/"): Row("/api/v1/contracts/ACME-1/", ACME_AND_STAFF_200),
    ("GET", "/api/v1/contracts/{number}/contacts/"): Row(
        "/api/v1/contracts/ACME-1/contacts/", ACME_AND_STAFF_200
    ),
    # 400: the 5x8 cap of one contact is taken; scope and permission let the request through.
    ("POST", "/api/v1/contracts/{number}/contacts/"): Row(
        "/api/v1/contracts/ACME-1/contacts/",
        statuses(acme=400, staff=400),
        {"email": "bob@acme.example"},
    ),
    ("DELETE", "/api/v1/contracts/{number}/contacts/{contact_id}/"): Row(
        "/api/v1/contracts/ACME-1/contacts/{acme_contact.pk}/", statuses(acme=204, staff=204)
    ),
    ("GET", "/api/v1/partner/subscriptions/"): Row(
        "/api/v1/partner/subscriptions/", partner_only(200)
    ),
    ("POST", "/api/v1/partner/subscriptions/"): Row(
        "/api/v1/partner/subscriptions/",
        partner_only(201),
        lambda world, persona: subscription(),
        "multipart",
    ),
    ("GET", "/api/v1/sla/preview/"): Row(
        "/api/v1/sla/preview/?tier=5x8&priority=P1&opened_at=2026-11-27T17:30"
        "&timezone=Asia/Shanghai&calendar=CN",
        EVERYONE_200,
    ),
    ("GET", "/api/v1/tickets/"): Row("/api/v1/tickets/", EVERYONE_200),
    # 400 for the others: ACME-1 is not among the contracts they may choose.
    ("POST", "/api/v1/tickets/"): Row(
        "/api/v1/tickets/",
        statuses(acme=201, globex=400, partner=400, outsider=400, staff=201),
        new_ticket,
    ),
    ("GET", "/api/v1/tickets/{id}/"): Row("/api/v1/tickets/{acme_ticket.pk}/", ACME_AND_STAFF_200),
    ("GET", "/api/v1/tickets/{id}/messages/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/messages/", ACME_AND_STAFF_200
    ),
    ("POST", "/api/v1/tickets/{id}/messages/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/messages/",
        statuses(acme=201, staff=201),
        {"body": "Here are the logs."},
    ),
    ("GET", "/api/v1/tickets/{id}/attachments/{attachment_id}/"): Row(
        "/api/v1/tickets/{acme_answered.pk}/attachments/{acme_file.pk}/", ACME_AND_STAFF_200
    ),
    ("GET", "/api/v1/tickets/{id}/remote-sessions/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/remote-sessions/", ACME_AND_STAFF_200
    ),
    # Thursday 10:00 in Shanghai, inside 5x8 hours; partners only read (403 on their own).
    ("POST", "/api/v1/tickets/{id}/remote-sessions/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/remote-sessions/",
        statuses(acme=201, staff=201),
        {"starts_at": "2026-11-26T10:00:00+08:00", "project_context": "3 nodes, EMQX 5.9"},
    ),
    ("POST", "/api/v1/tickets/{id}/remote-sessions/{session_id}/record/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/remote-sessions/{acme_session.pk}/record/",
        staff_only(200),
        {"next_steps": "Raise max_connections.", "follow_up": "Call on Friday."},
    ),
    ("POST", "/api/v1/tickets/{id}/attachments/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/attachments/",
        statuses(acme=201, staff=201),
        upload,
        "multipart",
    ),
    # Staff accept only by recording the customer's written consent: 400 without it.
    ("POST", "/api/v1/tickets/{id}/agreement/accept/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/agreement/accept/", statuses(acme=200, staff=400), {}
    ),
    ("POST", "/api/v1/tickets/{id}/agreement/decline/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/agreement/decline/", ACME_AND_STAFF_200, {}
    ),
    ("POST", "/api/v1/tickets/{id}/respond/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/respond/", staff_only(201), {"body": "Try 5.9.1."}
    ),
    ("POST", "/api/v1/tickets/{id}/restore/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/restore/", staff_only(200), {"note": "Workaround."}
    ),
    ("POST", "/api/v1/tickets/{id}/resolve/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/resolve/", staff_only(200), {}
    ),
    ("POST", "/api/v1/tickets/{id}/downgrade/"): Row(
        "/api/v1/tickets/{acme_ticket.pk}/downgrade/",
        staff_only(200),
        {"reason": "Only one node affected."},
    ),
    ("POST", "/api/v1/tickets/{id}/propose-agreement/"): Row(
        "/api/v1/tickets/{acme_answered.pk}/propose-agreement/",
        staff_only(201),
        {"due_at": "2026-12-24T10:00:00+08:00", "reason": "Fix ships in 5.9.2."},
    ),
}


def test_every_operation_has_a_row():
    assert operations() == set(MATRIX)


def test_every_row_has_every_persona():
    for key, row in MATRIX.items():
        assert set(row.expected) == set(PERSONAS), key


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", list(MATRIX), ids=lambda op: f"{op[0]} {op[1]}")
def test_persona_matrix(world, request, operation, persona):
    row = MATRIX[operation]
    if operation[1] != "/api/v1/auth/token/":  # freezegun breaks DRF's throttle timer
        request.getfixturevalue("frozen")
    method = operation[0].lower()
    url = row.path.format(**world.objects)
    data = row.data(world, persona) if callable(row.data) else row.data
    client = world.client(persona)
    kwargs = {"format": row.format} if data is not None else {}
    response = getattr(client, method)(url, data, **kwargs)
    # A download streams: it has no `content` to show.
    assert response.status_code == row.expected[persona], getattr(response, "content", b"")[:500]
    assert_conforms(*operation, response)
    if response.status_code >= 400:
        body = response.json()
        assert body["detail"], body
        assert body["code"], body
