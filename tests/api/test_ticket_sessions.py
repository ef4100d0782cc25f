"""Remote sessions through the API: customers book inside their contract's service hours (the
service's reason when not), support records the next steps, which the customer then reads."""

import pytest

from tickets.models import SessionStatus

pytestmark = pytest.mark.usefixtures("frozen")

CONTEXT = "EMQX 5.9, 3 nodes on Kubernetes; TLS listeners refuse connections."


def sessions_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/remote-sessions/"


def record_url(ticket, session_id) -> str:
    return f"{sessions_url(ticket)}{session_id}/record/"


def book(world, persona, ticket, starts_at, **extra):
    data = {"starts_at": starts_at, "project_context": CONTEXT, **extra}
    return world.client(persona).post(sessions_url(ticket), data, format="json")


def test_a_customer_books_a_session_inside_service_hours(world):
    response = book(world, "acme", world.acme_ticket, "2026-11-26T10:00:00+08:00")

    assert response.status_code == 201, response.json()
    session = response.json()
    assert session["status"] == SessionStatus.REQUESTED
    assert session["starts_at"] == "2026-11-26T02:00:00Z"
    assert session["duration_minutes"] == 30
    assert session["requested_by"] == world.users["acme"].get_full_name()
    listed = world.client("acme").get(sessions_url(world.acme_ticket)).json()
    assert session["id"] in [s["id"] for s in listed]


@pytest.mark.parametrize(
    "starts_at",
    [
        "2026-11-28T10:00:00+08:00",  # Saturday
        "2026-11-26T17:45:00+08:00",  # runs past 18:00
        "2026-11-26T08:30:00+08:00",  # before 09:00
    ],
)
def test_a_session_outside_service_hours_is_400_with_the_reason(world, starts_at):
    response = book(world, "acme", world.acme_ticket, starts_at)

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("outside_service_hours", "starts_at")
    assert "ACME-1" in body["detail"]
    assert "Asia/Shanghai" in body["detail"]


def test_a_7x24_session_can_be_any_time(world):
    response = book(
        world, "globex", world.globex_ticket, "2026-11-28T23:30:00+08:00", duration_minutes=60
    )

    assert response.status_code == 201, response.json()
    assert response.json()["duration_minutes"] == 60


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"project_context": " "}, "required", "project_context"),
        ({"duration_minutes": 600}, "invalid_duration", "duration_minutes"),
        ({"starts_at": "2026-11-24T10:00:00+08:00"}, "in_past", "starts_at"),
        ({"starts_at": "tomorrow"}, "invalid", "starts_at"),
    ],
)
def test_bad_requests_are_400_with_the_field(world, extra, code, field):
    data = {"starts_at": "2026-11-26T10:00:00+08:00", "project_context": CONTEXT, **extra}

    response = world.client("acme").post(sessions_url(world.acme_ticket), data, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_a_partner_reads_the_sessions_of_tickets_it_sold_but_cannot_book(world):
    ticket = world.initech_ticket

    assert world.client("partner").get(sessions_url(ticket)).json() == []
    response = book(world, "partner", ticket, "2026-11-26T10:00:00+08:00")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_another_organisations_sessions_are_404(world):
    assert world.client("globex").get(sessions_url(world.acme_ticket)).status_code == 404
    response = book(world, "globex", world.acme_ticket, "2026-11-26T10:00:00+08:00")
    assert response.status_code == 404


def test_support_records_the_next_steps_and_the_customer_reads_them(world):
    session = world.acme_session
    response = world.client("staff").post(
        record_url(world.acme_ticket, session.pk),
        {"next_steps": "Raise max_connections to 1M.", "follow_up": "Call on Friday."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == SessionStatus.DONE
    assert response.json()["engineer"] == world.users["staff"].get_full_name()
    [seen] = world.client("acme").get(sessions_url(world.acme_ticket)).json()
    assert (seen["next_steps"], seen["follow_up"]) == (
        "Raise max_connections to 1M.",
        "Call on Friday.",
    )
    assert seen["recorded_at"] == "2026-11-25T02:00:00Z"


def test_a_session_cannot_be_recorded_before_it_starts_or_twice(world):
    booked = book(world, "acme", world.acme_ticket, "2026-11-26T10:00:00+08:00").json()
    client = world.client("staff")
    steps = {"next_steps": "Upgrade."}

    early = client.post(record_url(world.acme_ticket, booked["id"]), steps, format="json")
    client.post(record_url(world.acme_ticket, world.acme_session.pk), steps, format="json")
    again = client.post(record_url(world.acme_ticket, world.acme_session.pk), steps, format="json")

    assert (early.status_code, early.json()["code"]) == (400, "not_started")
    assert (again.status_code, again.json()["code"]) == (400, "session_decided")


def test_recording_needs_the_next_steps(world):
    response = world.client("staff").post(
        record_url(world.acme_ticket, world.acme_session.pk), {"next_steps": ""}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "next_steps")


def test_a_session_of_another_ticket_is_404(world):
    response = world.client("staff").post(
        record_url(world.acme_answered, world.acme_session.pk),
        {"next_steps": "Upgrade."},
        format="json",
    )

    assert response.status_code == 404


def test_the_session_list_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    for day in (26, 27):
        book(world, "acme", world.acme_ticket, f"2026-11-{day}T10:00:00+08:00")

    # token and user, the ticket, its sessions with requester and engineer
    with django_assert_num_queries(3):
        sessions = world.client("acme").get(sessions_url(world.acme_ticket)).json()

    assert len(sessions) == 3


def test_an_id_too_big_for_the_database_is_404_not_500(world):
    huge = 7900877506953615507456

    response = world.client("staff").post(
        f"/api/v1/tickets/{huge}/remote-sessions/{huge}/record/", {"next_steps": "x"}
    )

    assert response.status_code == 404
