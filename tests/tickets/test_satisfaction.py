"""Customers resolve, close and rate their tickets (tickets.services: ticket_resolve_by_customer,
ticket_close, satisfaction_rate) and the signed rating link (tickets.satisfaction)."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from contracts.models import ContractStatus
from core.errors import ServiceError
from tests.factories import CustomerUserFactory, PartnerUserFactory
from tests.tickets.helpers import MONDAY, clocks_of
from tickets.models import Satisfaction, SlaState, TicketStatus
from tickets.satisfaction import rating_token, rating_token_read
from tickets.services import (
    message_post,
    satisfaction_rate,
    ticket_close,
    ticket_resolve,
    ticket_resolve_by_customer,
)

pytestmark = pytest.mark.django_db
LATER = MONDAY + timedelta(minutes=30)


def answered(open_ticket, engineer):
    ticket = open_ticket()
    message_post(ticket=ticket, author=engineer, body="Looking at it.", now=LATER)
    return ticket


def test_a_customer_resolves_an_answered_ticket_and_its_clocks_stop(
    open_ticket, engineer, colleague
):
    ticket = answered(open_ticket, engineer)

    # Any user of the customer, not only the reporter.
    ticket_resolve_by_customer(ticket=ticket, by=colleague, note="Works again.", now=LATER)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolved_at == LATER
    assert {c.state for c in clocks_of(ticket).values()} <= {SlaState.MET, SlaState.BREACHED}


def test_a_customer_cannot_resolve_before_the_first_response(open_ticket, contact):
    ticket = open_ticket()
    with pytest.raises(ServiceError) as refused:
        ticket_resolve_by_customer(ticket=ticket, by=contact, now=LATER)
    assert refused.value.code == "no_first_response"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


@pytest.mark.parametrize("who", ["partner", "other_customer", "engineer"])
def test_only_the_customers_users_resolve_from_the_portal(open_ticket, engineer, who):
    ticket = answered(open_ticket, engineer)
    by = {
        "partner": lambda: PartnerUserFactory(),
        "other_customer": lambda: CustomerUserFactory(),
        "engineer": lambda: engineer,  # staff resolve with ticket_resolve
    }[who]()
    with pytest.raises(ServiceError) as refused:
        ticket_resolve_by_customer(ticket=ticket, by=by, now=LATER)
    assert refused.value.code == "forbidden"


def test_a_customer_closes_the_resolved_ticket_and_that_is_final(open_ticket, engineer, contact):
    ticket = answered(open_ticket, engineer)
    ticket_resolve_by_customer(ticket=ticket, by=contact, now=LATER)

    ticket_close(ticket=ticket, by=contact, now=LATER + timedelta(hours=1))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    with pytest.raises(ServiceError) as refused:
        ticket_resolve_by_customer(ticket=ticket, by=contact, now=LATER + timedelta(hours=2))
    assert refused.value.code == "ticket_not_open"


def test_an_open_ticket_is_not_closed_by_the_customer(open_ticket, engineer, contact):
    ticket = answered(open_ticket, engineer)
    with pytest.raises(ServiceError) as refused:
        ticket_close(ticket=ticket, by=contact, now=LATER)
    assert refused.value.code == "not_resolved"


def test_a_rating_is_kept_and_a_second_one_replaces_it(open_ticket, engineer, contact):
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)

    satisfaction_rate(ticket=ticket, user=contact, score=2, comment="Slow.", now=LATER)
    satisfaction_rate(
        ticket=ticket, user=contact, score=5, comment="", now=LATER + timedelta(days=1)
    )

    rating = Satisfaction.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (5, "")
    assert rating.created_at == LATER
    assert rating.updated_at == LATER + timedelta(days=1)


def test_each_user_of_the_customer_has_a_rating_of_their_own(
    open_ticket, engineer, contact, colleague
):
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)
    satisfaction_rate(ticket=ticket, user=contact, score=4, now=LATER)
    satisfaction_rate(ticket=ticket, user=colleague, score=3, now=LATER)
    assert Satisfaction.objects.filter(ticket=ticket).count() == 2


def test_a_closed_ticket_can_still_be_rated(open_ticket, engineer, contact):
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)
    ticket_close(ticket=ticket, by=engineer, now=LATER)
    satisfaction_rate(ticket=ticket, user=contact, score=4, now=LATER)
    assert Satisfaction.objects.filter(ticket=ticket, user=contact, score=4).exists()


def test_an_open_ticket_cannot_be_rated(open_ticket, engineer, contact):
    ticket = answered(open_ticket, engineer)
    with pytest.raises(ServiceError) as refused:
        satisfaction_rate(ticket=ticket, user=contact, score=5, now=LATER)
    assert refused.value.code == "not_resolved"
    assert not Satisfaction.objects.exists()


@pytest.mark.parametrize("who", ["partner", "other_customer", "engineer"])
def test_only_the_customers_users_rate(open_ticket, engineer, who):
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)
    by = {
        "partner": lambda: PartnerUserFactory(),
        "other_customer": lambda: CustomerUserFactory(),
        "engineer": lambda: engineer,
    }[who]()
    with pytest.raises(ServiceError) as refused:
        satisfaction_rate(ticket=ticket, user=by, score=5, now=LATER)
    assert refused.value.code == "forbidden"


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_one_to_five_is_refused(open_ticket, engineer, contact, score):
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)
    with pytest.raises(ServiceError) as refused:
        satisfaction_rate(ticket=ticket, user=contact, score=score, now=LATER)
    assert refused.value.code == "invalid_score"


def test_a_rating_token_names_its_ticket_and_user_and_expires_after_thirty_days():
    with freeze_time("2026-11-30 10:00:00"):
        token = rating_token(ticket_id=12, user_id=34)
    with freeze_time("2026-12-29 10:00:00"):
        found = rating_token_read(token)
        assert (found.ticket_id, found.user_id) == (12, 34)
        assert rating_token_read(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    with freeze_time("2026-12-30 10:00:01"):
        assert rating_token_read(token) is None


def test_a_suspended_contract_does_not_stop_a_rating(open_ticket, engineer, contact):
    """A rating is about a ticket handled already: the contract's later state does not stop it."""
    ticket = answered(open_ticket, engineer)
    ticket_resolve(ticket=ticket, by=engineer, now=LATER)
    ticket.contract.status = ContractStatus.SUSPENDED
    ticket.contract.save()
    satisfaction_rate(ticket=ticket, user=contact, score=3, now=LATER)
    assert Satisfaction.objects.filter(ticket=ticket).exists()
