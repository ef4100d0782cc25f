"""The seeded products and versions (migration contracts.0002) match docs/spec.md."""

from datetime import date

import pytest
from django.db import IntegrityError

from contracts.models import Product, ProductVersion
from tests.factories import VersionFactory

pytestmark = pytest.mark.django_db


def test_enterprise_and_platform_are_commercially_supported():
    supported = set(
        Product.objects.filter(commercially_supported=True).values_list("code", flat=True)
    )
    assert {"emqx-enterprise", "emqx-platform"} <= supported


def test_broker_is_community_only_with_links():
    broker = Product.objects.get(code="emqx-broker")
    assert not broker.commercially_supported
    assert broker.docs_url == "https://docs.emqx.com/"
    assert broker.forum_url == "https://github.com/emqx/emqx/discussions"


def test_enterprise_has_a_version_past_support_and_one_past_maintenance_only():
    day = date(2026, 11, 25)
    versions = ProductVersion.objects.filter(product__code="emqx-enterprise")
    assert versions.get(name="5.8").end_of_support == date(2027, 12, 31)
    assert any(v.end_of_support < day for v in versions)
    assert any(v.end_of_maintenance < day <= v.end_of_support for v in versions)


def test_end_of_support_cannot_come_before_end_of_maintenance():
    with pytest.raises(IntegrityError):
        VersionFactory(end_of_maintenance=date(2027, 1, 1), end_of_support=date(2026, 1, 1))
