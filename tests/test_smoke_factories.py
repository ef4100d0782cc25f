import pytest

from tests.factories import ContactFactory, VersionFactory


@pytest.mark.django_db
def test_factories_build_a_named_contact_with_a_covered_product():
    version = VersionFactory()
    contact = ContactFactory(contract__products=[version.product])
    assert contact.user.customer == contact.contract.customer
    assert list(contact.contract.products.all()) == [version.product]
