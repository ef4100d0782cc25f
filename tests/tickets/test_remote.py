"""Remote sessions: booked inside the contract's service hours, recorded by the engineer."""

import pytest

from core.errors import ServiceError
from tests.factories import PartnerUserFactory
from tests.tickets.helpers import MONDAY, sh
from tickets.models import EventField, SessionStatus, TicketEvent
from tickets.services import remote_session_record, remote_session_request

pytestmark = pytest.mark.django_db
CONTEXT = "EMQX 5.8 cluster of 3 nodes on Kubernetes; TLS listeners refuse connections."


def book(ticket, by, starts_at, **kwargs):
    params = {"project_context": CONTEXT, "now": MONDAY, **kwargs}
    return remote_session_request(ticket=ticket, by=by, starts_at=starts_at, **params)


@pytest.mark.parametrize(
    "starts_at",
    [
        sh(2026, 11, 28, 10, 0),  # Saturday
        sh(2026, 11, 23, 17, 45),  # runs past 18:00
        sh(2026, 11, 24, 8, 45),  # starts before 09:00
        sh(2027, 1, 1, 10, 0),  # New Year's Day, a public holiday
    ],
)
def test_a_session_outside_service_hours_is_refused(open_ticket, contact, starts_at):
    with pytest.raises(ServiceError) as refused:
        book(open_ticket(), contact, starts_at)

    assert (refused.value.code, refused.value.field) == ("outside_service_hours", "starts_at")


def test_a_session_inside_service_hours_is_booked(open_ticket, contact):
    ticket = open_ticket()

    session = book(ticket, contact, sh(2026, 11, 23, 17, 30))

    assert (session.status, session.duration_minutes) == (SessionStatus.REQUESTED, 30)
    assert TicketEvent.objects.filter(ticket=ticket, field=EventField.REMOTE_SESSION).exists()


def test_a_7x24_session_can_be_any_time(open_ticket, contract_7x24):
    ticket = open_ticket(on=contract_7x24)

    session = book(ticket, ticket.reporter, sh(2026, 11, 28, 23, 45), duration_minutes=60)

    assert session.duration_minutes == 60


def test_a_session_starts_in_the_future_and_describes_the_project(open_ticket, contact):
    ticket = open_ticket()

    with pytest.raises(ServiceError) as past:
        book(ticket, contact, sh(2026, 11, 23, 9, 30))
    with pytest.raises(ServiceError) as no_context:
        book(ticket, contact, sh(2026, 11, 23, 15), project_context=" ")

    assert past.value.code == "in_past"
    assert (no_context.value.code, no_context.value.field) == ("required", "project_context")


def test_partners_cannot_book(open_ticket):
    with pytest.raises(ServiceError) as refused:
        book(open_ticket(), PartnerUserFactory(), sh(2026, 11, 23, 15))
    assert refused.value.code == "forbidden"


def test_the_engineer_records_next_steps(open_ticket, contact, engineer):
    session = book(open_ticket(), contact, sh(2026, 11, 23, 15))

    with pytest.raises(ServiceError) as early:
        remote_session_record(
            session=session, by=engineer, next_steps="x", follow_up="", now=MONDAY
        )
    done = remote_session_record(
        session=session,
        by=engineer,
        next_steps="Upgrade to 5.8.3; raise max_connections.",
        follow_up="Call on Wednesday.",
        now=sh(2026, 11, 23, 15, 40),
    )

    assert early.value.code == "not_started"
    assert (done.status, done.engineer) == (SessionStatus.DONE, engineer)
    assert done.recorded_at == sh(2026, 11, 23, 15, 40)
    with pytest.raises(ServiceError) as not_engineer:
        remote_session_record(session=session, by=contact, next_steps="x", follow_up="", now=MONDAY)
    assert not_engineer.value.code == "forbidden"
