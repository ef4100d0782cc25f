"""Load the demo personas and contracts (README "Demo data"). Idempotent: a second run finds
everything in place and changes nothing. Contracts, contacts and the partner registration go
through the services; users, organisations and the staff group have none, so they are
written here directly."""

from base64 import b32encode
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from contracts.models import (
    Contract,
    ContractStatus,
    Customer,
    LicenceType,
    Partner,
    PartnerStatus,
    Product,
)
from contracts.services import contact_add, contract_verify, registration_submit
from core.roles import ENGINEER, MANAGER
from portal.demo import demo_tickets_create
from sla.models import HolidayCalendar, Tier

PASSWORD = "demo-pass-2026"
TERM = (date(2026, 1, 1), date(2027, 12, 31))
# The demo manager's TOTP secret (hex, as django-otp stores it); its base32 form is printed.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
# A minimal valid PDF, as the partner's proof of the Initech order.
DEMO_PROOF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_two_factor_help() -> str:
    secret = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
    return (
        "Staff confirm their login with a code (two-factor authentication). The demo manager's "
        f"authenticator secret is {secret}: add it to an authenticator app, or print the current "
        "code with `.venv/bin/python manage.py otp_code manager@example.com` (DEBUG only). The "
        "demo engineer sets up an app at the first login."
    )


class Command(BaseCommand):
    help = "Create (or complete) the demo users, customers, partner and contracts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--send-mail",
            action="store_true",
            help="Send the invitation e-mails the services write (default: discard them).",
        )

    def handle(self, *args, send_mail: bool = False, verbosity: int = 1, **options):
        self.verbosity = verbosity
        now = timezone.now()
        backend = None if send_mail else "django.core.mail.backends.dummy.EmailBackend"
        mail_settings = {"EMAIL_BACKEND": backend} if backend else {}
        with override_settings(**mail_settings), transaction.atomic():
            self.load(now)
        self.say(self.style.SUCCESS(f"Demo data ready; every password is {PASSWORD}"))
        self.say(demo_two_factor_help())

    # --- helpers -------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(text)

    def user(self, email: str, **attrs):
        User = get_user_model()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, PASSWORD, **attrs)
            self.say(f"  user {email}")
            return user
        changed = [name for name, value in attrs.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, attrs[name])
        if not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
        return user

    def contract(
        self,
        *,
        number: str,
        customer,
        tier: str,
        timezone_name: str,
        calendar: str,
        product: str,
        manager,
        now,
    ):
        contract, created = Contract.objects.get_or_create(
            number=number,
            defaults={
                "customer": customer,
                "tier": Tier.objects.get(code=tier),
                "licence_type": LicenceType.SUBSCRIPTION,
                "licence_number": f"LIC-{number}",
                "starts_on": TERM[0],
                "ends_on": TERM[1],
                "timezone": timezone_name,
                "calendar": HolidayCalendar.objects.get(code=calendar),
            },
        )
        if created:
            contract.products.set([Product.objects.get(code=product)])
            self.say(f"  contract {number}")
        if contract.status == ContractStatus.PENDING:
            contract = contract_verify(contract=contract, by=manager, now=now)
        return contract

    def contact(
        self,
        contract,
        email: str,
        first_name: str,
        last_name: str,
        language: str,
        manager,
        now,
        **details,
    ):
        if not contract.contacts.filter(user__email__iexact=email).exists():
            contact_add(
                contract=contract,
                email=email,
                first_name=first_name,
                last_name=last_name,
                added_by=manager,
                now=now,
                **details,
            )
        return self.user(
            email,
            customer=contract.customer,
            first_name=first_name,
            last_name=last_name,
            language=language,
        )

    def customer(self, name_en: str, **defaults):
        customer, created = Customer.objects.get_or_create(name_en=name_en, defaults=defaults)
        if created:
            self.say(f"  customer {name_en}")
        return customer

    def two_factor_device(self, user):
        """The demo manager's authenticator: a confirmed TOTP device with a fixed secret, so a
        demo can add it to any authenticator app (or ask `manage.py otp_code`)."""
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="demo authenticator", key=DEMO_TOTP_KEY, confirmed=True
            )
        return device

    # --- the data ------------------------------------------------------------------------------
    def load(self, now):
        manager = self.user(
            "manager@example.com",
            first_name="Mia",
            last_name="Manager",
            language="en",
            is_staff=True,
            is_superuser=False,
        )
        manager.groups.add(Group.objects.get(name=MANAGER))
        self.two_factor_device(manager)
        engineer = self.user(
            "engineer@example.com",
            first_name="Eli",
            last_name="Engineer",
            language="zh-hans",
            is_staff=True,
        )
        engineer.groups.add(Group.objects.get(name=ENGINEER))

        acme = self.customer(
            "Acme Ltd.", name_zh="艾克米有限公司", country="CN", language="zh-hans"
        )
        acme_contract = self.contract(
            number="ACME-5X8",
            customer=acme,
            tier="5x8",
            timezone_name="Asia/Shanghai",
            calendar="CN",
            product="emqx-enterprise",
            manager=manager,
            now=now,
        )
        self.contact(
            acme_contract,
            "alice@acme.example",
            "Alice",
            "Chen",
            "zh-hans",
            manager,
            now,
            phone="+86 138 0000 0001",
            wechat="alice_chen",
        )

        globex = self.customer("Globex Corp.", name_zh="环球公司", country="DE", language="en")
        globex_contract = self.contract(
            number="GLOBEX-7X24",
            customer=globex,
            tier="7x24",
            timezone_name="Europe/Berlin",
            calendar="NONE",
            product="emqx-platform",
            manager=manager,
            now=now,
        )
        self.contact(
            globex_contract,
            "bob@globex.example",
            "Bob",
            "Becker",
            "en",
            manager,
            now,
            phone="+49 30 0000 0001",
            skype="bob.becker",
        )
        self.contact(
            globex_contract,
            "carol@globex.example",
            "Carol",
            "Klein",
            "en",
            manager,
            now,
            phone="+49 30 0000 0002",
        )

        partner, _created = Partner.objects.get_or_create(
            name="Example Partner Co.",
            defaults={
                "status": PartnerStatus.ACTIVE,
                "authorised_from": date(2025, 1, 1),
                "authorised_until": date(2028, 12, 31),
            },
        )
        pat = self.user(
            "pat@partner.example",
            partner=partner,
            first_name="Pat",
            last_name="Partner",
            language="en",
        )
        initech_contract = Contract.objects.filter(number="INITECH-5X8").first()
        if initech_contract is None:
            registration = registration_submit(
                user=pat,
                customer_name_en="Initech",
                customer_name_zh="英尼泰克",
                country="CN",
                products=[Product.objects.get(code="emqx-enterprise")],
                tier=Tier.objects.get(code="5x8"),
                licence_type=LicenceType.SUBSCRIPTION,
                contract_number="INITECH-5X8",
                licence_number="LIC-INITECH-5X8",
                starts_on=TERM[0],
                ends_on=TERM[1],
                timezone="Asia/Shanghai",
                calendar=HolidayCalendar.objects.get(code="CN"),
                proof=ContentFile(DEMO_PROOF, name="initech-order.pdf"),
                contact_name="Dave Li",
                contact_email="dave@initech.example",
                contact_phone="+86 139 0000 0003",
                now=now,
            )
            initech_contract = registration.contract
            self.say("  partner registration INITECH-5X8 (pending)")
        self.user(
            "dave@initech.example",
            customer=initech_contract.customer,
            first_name="Dave",
            last_name="Li",
            language="zh-hans",
        )

        created = demo_tickets_create(
            acme=acme_contract, globex=globex_contract, engineer=engineer, now=now
        )
        if created:
            self.say(f"  {created} demo tickets")
