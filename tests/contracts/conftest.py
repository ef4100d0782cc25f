"""Personas and helpers for the contracts tests. Time is pinned to NOW (10:00 in Shanghai on
Wednesday 2026-11-25) unless a test freezes another moment."""

from datetime import UTC, datetime

import pytest

from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ManagerFactory,
    PartnerFactory,
    PartnerUserFactory,
    ProductFactory,
    VersionFactory,
    tier,
)

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def manager(db):
    return ManagerFactory(email="manager@vendor.test")


@pytest.fixture
def product(db):
    return ProductFactory(name="EMQX Enterprise Test")


@pytest.fixture
def version(product):
    return VersionFactory(product=product, name="5.8")


@pytest.fixture
def contract_5x8(product):
    return ContractFactory(number="A-5X8", products=[product], tier=tier("5x8"))


@pytest.fixture
def contract_7x24(product):
    return ContractFactory(
        number="B-7X24",
        products=[product],
        tier=tier("7x24"),
        timezone="Europe/Berlin",
    )


@pytest.fixture
def contact(contract_5x8):
    return ContactFactory(contract=contract_5x8)


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Resell Co.")


@pytest.fixture
def partner_user(partner):
    return PartnerUserFactory(partner=partner, email="pat@resell.test")


@pytest.fixture
def other_customer(db):
    return CustomerFactory(name_en="Other Org", name_zh="其他公司")
