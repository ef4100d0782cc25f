"""The footer of every page: the vendor's hotline and e-mail, and the user's service hours."""

import pytest
from django.urls import reverse

from contracts.models import ContractStatus
from tests.factories import ContactFactory, ContractFactory, PartnerUserFactory, tier

pytestmark = pytest.mark.django_db


def _footer(html: str) -> str:
    return html[html.index("<footer") : html.index("</footer>")]


def test_footer_shows_hotline_and_e_mail_from_settings(client, settings):
    settings.SUPPORT_HOTLINE = "+86 400 123 4567"
    settings.SUPPORT_EMAIL = "help@vendor.test"
    footer = _footer(client.get(reverse("portal:login")).content.decode())
    assert "+86 400 123 4567" in footer
    assert "help@vendor.test" in footer
    assert "service hours" not in footer


def test_customer_footer_lists_each_active_contract_in_its_own_zone(client):
    acme = ContractFactory(number="ACME-5X8", tier=tier("5x8"))
    user = ContactFactory(contract=acme).user
    ContractFactory(
        number="ACME-7X24", customer=acme.customer, tier=tier("7x24"), timezone="Europe/Berlin"
    )
    ContractFactory(number="ACME-OLD", customer=acme.customer, status=ContractStatus.EXPIRED)
    client.force_login(user)
    footer = _footer(client.get(reverse("portal:dashboard")).content.decode())
    assert "ACME-5X8: Mon–Fri 09:00–18:00 Asia/Shanghai" in footer
    assert "ACME-7X24: around the clock" in footer
    assert "ACME-OLD" not in footer


def test_footer_of_another_customer_shows_only_their_contracts(client):
    ContractFactory(number="ACME-5X8")
    other = ContactFactory(contract=ContractFactory(number="GLOBEX-7X24", tier=tier("7x24")))
    client.force_login(other.user)
    footer = _footer(client.get(reverse("portal:ticket-list")).content.decode())
    assert "GLOBEX-7X24" in footer
    assert "ACME-5X8" not in footer


def test_partner_footer_has_the_support_contact_only(client, settings):
    client.force_login(PartnerUserFactory())
    footer = _footer(client.get(reverse("portal:partner-dashboard")).content.decode())
    assert settings.SUPPORT_HOTLINE in footer
    assert "service hours" not in footer
