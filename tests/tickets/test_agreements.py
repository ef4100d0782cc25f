"""Agreed resolution times (docs/spec.md "After the first response", way 3): propose, accept (named
contact, or staff recording written consent), decline, withdraw."""

import pytest

from contracts.schedule import contract_schedule
from core.errors import ServiceError
from sla.models import Metric
from tests.factories import ContactFactory, ContractFactory
from tests.tickets.helpers import MONDAY, changes_at, clocks_of, sh
from tickets.models import Agreement, AgreementStatus, EventField, SlaState, TicketEvent
from tickets.services import (
    agreement_accept,
    agreement_decline,
    agreement_propose,
    agreement_withdraw,
    message_post,
    ticket_downgrade,
    ticket_restore,
)
from tickets.sla.clocks import at_risk_instant

pytestmark = pytest.mark.django_db
NOW = sh(2026, 11, 23, 11, 0)
AGREED = sh(2027, 3, 1, 10, 0)


@pytest.fixture
def responded(open_ticket, engineer):
    ticket = open_ticket(now=MONDAY)
    message_post(ticket=ticket, author=engineer, body="Looking.", now=sh(2026, 11, 23, 10, 30))
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def proposal(responded, engineer):
    return agreement_propose(
        ticket=responded, by=engineer, due_at=AGREED, reason="Needs the 5.9 release", now=NOW
    )


def test_proposing_needs_staff_first_response_future_time_and_reason(
    open_ticket, responded, engineer, contact
):
    cases = [
        ({"ticket": open_ticket(), "by": engineer}, "no_first_response"),
        ({"ticket": responded, "by": contact}, "forbidden"),
        ({"ticket": responded, "by": engineer, "due_at": sh(2026, 11, 23, 10)}, "due_in_past"),
        ({"ticket": responded, "by": engineer, "reason": " "}, "required"),
    ]
    for kwargs, code in cases:
        params = {"due_at": AGREED, "reason": "r", "now": NOW, **kwargs}
        with pytest.raises(ServiceError) as refused:
            agreement_propose(**params)
        assert refused.value.code == code
    assert not Agreement.objects.exists()


def test_one_open_proposal_at_a_time(proposal, responded, engineer):
    with pytest.raises(ServiceError) as refused:
        agreement_propose(ticket=responded, by=engineer, due_at=AGREED, reason="again", now=NOW)

    assert refused.value.code == "agreement_open"


def test_a_proposal_changes_nothing_until_accepted(proposal, responded):
    fix = clocks_of(responded)[Metric.FIX]

    assert fix.agreed is False
    assert fix.due_at != AGREED
    assert TicketEvent.objects.filter(ticket=responded, field=EventField.AGREEMENT).count() == 1


def test_a_named_contact_accepts_and_the_agreed_time_applies(
    proposal, responded, contact, contract
):
    agreement = agreement_accept(agreement=proposal, by=contact, now=sh(2026, 11, 23, 12))

    clocks = clocks_of(responded)
    schedule = contract_schedule(contract)
    assert agreement.status == AgreementStatus.ACCEPTED
    assert (agreement.decided_by, agreement.written_consent) == (contact, False)
    for metric in (Metric.FIX, Metric.RESTORE):
        assert clocks[metric].due_at == AGREED
        assert clocks[metric].agreed is True
        assert clocks[metric].at_risk_at == at_risk_instant(
            schedule, clocks[metric].started_at, AGREED
        )
    assert clocks[Metric.RESPONSE].agreed is False


def test_a_restored_ticket_keeps_its_restore_clock(proposal, responded, engineer, contact):
    ticket_restore(ticket=responded, by=engineer, now=sh(2026, 11, 23, 11, 30))

    agreement_accept(agreement=proposal, by=contact, now=sh(2026, 11, 23, 12))

    clocks = clocks_of(responded)
    assert clocks[Metric.RESTORE].state == SlaState.MET
    assert clocks[Metric.RESTORE].agreed is False
    assert clocks[Metric.FIX].due_at == AGREED


def test_who_may_accept(proposal, engineer, colleague, contract):
    other_contact = ContactFactory(contract=ContractFactory()).user
    for user, code in [
        (colleague, "forbidden"),
        (other_contact, "forbidden"),
        (engineer, "consent_required"),
    ]:
        with pytest.raises(ServiceError) as refused:
            agreement_accept(agreement=proposal, by=user, now=NOW)
        assert refused.value.code == code

    agreement = agreement_accept(agreement=proposal, by=engineer, written_consent=True, now=NOW)

    assert agreement.written_consent is True
    assert agreement.status == AgreementStatus.ACCEPTED


def test_the_customer_can_decline(proposal, responded, contact):
    fix_due = clocks_of(responded)[Metric.FIX].due_at

    agreement = agreement_decline(agreement=proposal, by=contact, reason="Too late", now=NOW)

    assert agreement.status == AgreementStatus.DECLINED
    assert clocks_of(responded)[Metric.FIX].due_at == fix_due
    with pytest.raises(ServiceError) as refused:
        agreement_accept(agreement=proposal, by=contact, now=NOW)
    assert refused.value.code == "agreement_decided"


def test_support_withdraws_and_may_propose_again(proposal, responded, engineer):
    agreement_withdraw(agreement=proposal, by=engineer, now=NOW)

    again = agreement_propose(
        ticket=responded, by=engineer, due_at=sh(2027, 2, 1, 10), reason="Sooner", now=NOW
    )

    assert again.status == AgreementStatus.PROPOSED


def test_a_later_downgrade_keeps_the_agreed_time(proposal, responded, engineer, contact):
    agreement_accept(agreement=proposal, by=contact, now=NOW)

    ticket_downgrade(ticket=responded, by=engineer, reason="r", now=sh(2026, 11, 23, 12))

    assert clocks_of(responded)[Metric.FIX].due_at == AGREED


def test_accepting_writes_history_with_before_and_after(proposal, responded, contact):
    agreement_accept(agreement=proposal, by=contact, now=sh(2026, 11, 23, 12))

    changes = changes_at(responded, sh(2026, 11, 23, 12))
    before, after, entry = changes[EventField.AGREEMENT]
    assert before.startswith("proposed") and after.startswith("accepted")
    assert changes[EventField.DUE_FIX][1] == "2027-03-01T10:00+08:00"
    assert entry.actor == contact
    # One action, one entry.
    assert TicketEvent.objects.filter(ticket=responded, at=sh(2026, 11, 23, 12)).count() == 1
