"""The customer dashboard: contracts, open tickets with SLA badges, what waits for the
customer; and where partners, staff and users without an organisation land."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import ContactFactory, CustomerUserFactory
from tests.portal.conftest import OPENED
from tickets.services import ticket_wait_for_customer

pytestmark = pytest.mark.django_db


def test_dashboard_shows_contracts_with_tier_term_status_hours_and_contacts(world, login):
    html = login(world.acme_user).get(reverse("portal:dashboard")).content.decode()
    assert "ACME-5X8" in html
    assert "badge status-active" in html
    assert "2026-01-01 – 2027-12-31" in html
    assert "Mon–Fri 09:00–18:00 Asia/Shanghai" in html
    assert world.acme_user.get_full_name() in html
    assert "(1 of 1)" in html
    assert "GLOBEX-7X24" not in html


def test_dashboard_lists_open_tickets_with_sla_badges(world, login):
    html = login(world.acme_colleague).get(reverse("portal:dashboard")).content.decode()
    assert f"#{world.acme_ticket.pk}</a>" in html
    assert f'class="badge sla-{world.acme_ticket.sla_state}"' in html


def test_dashboard_lists_what_waits_for_the_customer(world, login):
    ticket_wait_for_customer(
        ticket=world.acme_ticket,
        by=world.engineer,
        reason="Send the logs.",
        now=OPENED + timedelta(hours=2),
    )
    html = login(world.acme_user).get(reverse("portal:dashboard")).content.decode()
    section = html[html.index('id="waiting-for-you"') :]
    assert "Support proposes a new resolution time: 2027-01-15 18:00 (Asia/Shanghai)" in section
    assert "the restore and fix clocks are paused until you reply" in section


def test_dashboard_without_tickets_has_an_empty_state(login):
    html = login(ContactFactory().user).get(reverse("portal:dashboard")).content.decode()
    assert "No open ticket." in html
    assert 'id="waiting-for-you"' not in html


def test_user_without_an_organisation_is_told_what_to_do(login):
    html = login(CustomerUserFactory(customer=None)).get("/").content.decode()
    assert "Your account is not linked to an organisation" in html


def test_partner_lands_in_the_partner_area(world, login):
    response = login(world.partner_user).get(reverse("portal:dashboard"))
    assert response["Location"] == reverse("portal:partner-dashboard")


def test_staff_land_in_the_back_office(world, login):
    response = login(world.engineer).get(reverse("portal:dashboard"))
    assert response["Location"] == reverse("admin:index")
