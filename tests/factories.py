"""factory_boy factories shared by every test module. Reference data (tiers, targets, CN and NONE
calendars) comes from the seeding migration, so factories look it up rather than create it."""

import time
from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from contracts.models import (
    Contract,
    ContractStatus,
    Customer,
    LicenceType,
    Partner,
    PartnerRegistration,
    Product,
    ProductVersion,
    SupportContact,
)
from core.roles import ENGINEER, MANAGER, forget_roles
from sla.models import HolidayCalendar, Tier

PASSWORD = "demo-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def _give_role(user, create, role):
    if create and role:
        user.groups.add(Group.objects.get(name=role))
        forget_roles(user)


def confirm_two_factor(user) -> TOTPDevice:
    """A confirmed authenticator for `user` (tests log staff in with force_login, which
    tests/conftest.py marks verified when the user has one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test app", confirmed=True)


def current_totp_code(user) -> str:
    """What the user's authenticator app shows now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class StaffFactory(UserFactory):
    """A support engineer (the role "support engineer"), with an authenticator."""

    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        _give_role(obj, create, ENGINEER if extracted is None else extracted)
        if create:
            confirm_two_factor(obj)


class RolelessStaffFactory(UserFactory):
    """is_staff and nothing else: no role, so no permission anywhere."""

    is_staff = True


class ManagerFactory(StaffFactory):
    """A support manager, with an authenticator (managers always use two factors)."""

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        _give_role(obj, create, MANAGER if extracted is None else extracted)
        if create:
            confirm_two_factor(obj)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name_en = factory.Sequence(lambda n: f"Customer {n} Ltd.")
    name_zh = factory.Sequence(lambda n: f"客户{n}有限公司")
    country = "CN"
    language = "zh-hans"


class CustomerUserFactory(UserFactory):
    customer = factory.SubFactory(CustomerFactory)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} Co.")
    authorised_from = date(2025, 1, 1)
    authorised_until = date(2028, 12, 31)


class PartnerUserFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    commercially_supported = True
    docs_url = "https://docs.example.com/"
    knowledge_base_url = "https://kb.example.com/"
    forum_url = "https://forum.example.com/"


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVersion

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"5.{n}")
    released_on = date(2025, 6, 1)
    end_of_maintenance = date(2027, 6, 30)
    end_of_support = date(2028, 6, 30)


def tier(code: str) -> Tier:
    return Tier.objects.get(code=code)


def calendar(code: str) -> HolidayCalendar:
    return HolidayCalendar.objects.get(code=code)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"C-{n:05d}")
    customer = factory.SubFactory(CustomerFactory)
    tier = factory.LazyFunction(lambda: tier("5x8"))
    licence_type = LicenceType.SUBSCRIPTION
    starts_on = date(2026, 1, 1)
    ends_on = date(2027, 12, 31)
    timezone = "Asia/Shanghai"
    calendar = factory.LazyFunction(lambda: calendar("CN"))
    status = ContractStatus.ACTIVE

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)


class ContactFactory(factory.django.DjangoModelFactory):
    """A named support contact; the user belongs to the contract's customer."""

    class Meta:
        model = SupportContact

    contract = factory.SubFactory(ContractFactory)
    user = factory.LazyAttribute(lambda o: CustomerUserFactory(customer=o.contract.customer))
    phone = "+86 138 0000 0000"


class SuperuserFactory(ManagerFactory):
    is_superuser = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A pending partner registration: its contract is pending and sold by the partner."""

    class Meta:
        model = PartnerRegistration

    partner = factory.SubFactory(PartnerFactory)
    submitted_by = factory.LazyAttribute(lambda o: PartnerUserFactory(partner=o.partner))
    contract = factory.LazyAttribute(
        lambda o: ContractFactory(sold_by=o.partner, status=ContractStatus.PENDING)
    )
    customer_is_new = True
    contact_name = "Dana Lee"
    contact_email = factory.Sequence(lambda n: f"first.contact{n}@customer.test")
    submitted_at = factory.LazyFunction(timezone.now)
