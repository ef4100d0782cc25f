"""Products and versions, customers, partners, contracts, named support contacts and partner
registrations. Writes go through contracts.services; these classes hold data and small
derived facts only."""

import uuid
import zoneinfo
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sla.models import HolidayCalendar, Tier, validate_hours


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone (e.g. Asia/Shanghai)."),
            code="invalid_timezone",
            params={"value": value},
        )


def proof_upload_to(instance, filename: str) -> str:
    """Proofs get a random name: the partner's file name is neither trusted nor disclosed."""
    suffix = PurePath(filename).suffix.lower()[:6]
    key = uuid.uuid4().hex
    return f"proofs/{key[:2]}/{key}{suffix}"


class Product(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    commercially_supported = models.BooleanField(_("commercially supported"), default=False)
    docs_url = models.URLField(_("documentation"), blank=True)
    knowledge_base_url = models.URLField(_("knowledge base"), blank=True)
    forum_url = models.URLField(_("community forum"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class ProductVersion(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="versions", verbose_name=_("product")
    )
    name = models.CharField(_("version"), max_length=30)
    released_on = models.DateField(_("released"), null=True, blank=True)
    end_of_maintenance = models.DateField(
        _("end of maintenance"), help_text=_("No more patches after this date.")
    )
    end_of_support = models.DateField(
        _("end of support"), help_text=_("No more support after this date.")
    )

    class Meta:
        ordering = ["product__name", "-released_on", "-name"]
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="version_unique_name"),
            models.CheckConstraint(
                condition=models.Q(end_of_support__gte=models.F("end_of_maintenance")),
                name="version_support_after_maintenance",
                violation_error_message=_("End of support cannot come before end of maintenance."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.name}"


class Customer(models.Model):
    """A customer organisation."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    country = models.CharField(_("country"), max_length=2, default="CN")
    language = models.CharField(
        _("default language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.name_en} / {self.name_zh}" if self.name_zh else self.name_en


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", _("authorised")
    LAPSED = "lapsed", _("lapsed")
    REVOKED = "revoked", _("revoked")


class Partner(models.Model):
    """An authorised partner that resells support subscriptions."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    authorised_from = models.DateField(_("authorised from"))
    authorised_until = models.DateField(_("authorised until"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name

    def is_authorised_on(self, day) -> bool:
        return (
            self.status == PartnerStatus.ACTIVE
            and self.authorised_from <= day <= self.authorised_until
        )


class ContractStatus(models.TextChoices):
    PENDING = "pending", _("pending verification")
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    SUSPENDED = "suspended", _("suspended")
    REJECTED = "rejected", _("rejected")


class LicenceType(models.TextChoices):
    PERPETUAL = "perpetual", _("perpetual licence with maintenance")
    SUBSCRIPTION = "subscription", _("subscription")


class Contract(models.Model):
    number = models.CharField(_("contract number"), max_length=50, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    products = models.ManyToManyField(Product, related_name="contracts", verbose_name=_("products"))
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("tier")
    )
    licence_type = models.CharField(_("licence type"), max_length=15, choices=LicenceType.choices)
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True)
    starts_on = models.DateField(_("term start"))
    ends_on = models.DateField(
        _("term end"), help_text=_("Subscription end, or end of the maintenance term.")
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_timezone],
        help_text=_("The time zone named in the signed contract."),
    )
    calendar = models.ForeignKey(
        HolidayCalendar,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("holiday calendar"),
    )
    agreed_hours = models.CharField(
        _("agreed service hours"),
        max_length=300,
        blank=True,
        validators=[validate_hours],
        help_text=_(
            "Replaces the tier's hours when set, e.g. 'mon-fri 09:00-12:00,mon-fri 13:30-18:00'."
        ),
    )
    sold_by = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("sold by partner"),
        help_text=_("Empty when sold by the vendor directly."),
    )
    proof = models.FileField(
        _("proof document"),
        upload_to=proof_upload_to,
        blank=True,
        help_text=_("PDF, PNG or JPEG. Only support staff can open it, from the back office."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ContractStatus.choices,
        default=ContractStatus.PENDING,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status changed by"),
    )
    status_reason = models.CharField(_("status reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_term_order",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="contract_status_end_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def service_hours(self) -> str:
        """The weekly hours that count for SLA clocks: agreed hours win over the tier's."""
        return self.agreed_hours or self.tier.hours


class SupportContact(models.Model):
    """A named support contact: a customer's user who may open tickets under a contract. The
    tier caps how many a contract has (contracts.services.contact_add holds that)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("contract")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="support_contacts",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    qq = models.CharField(_("QQ"), max_length=40, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    skype = models.CharField(_("Skype"), max_length=60, blank=True)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("named support contact")
        verbose_name_plural = _("named support contacts")
        constraints = [
            models.UniqueConstraint(fields=["contract", "user"], name="contact_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.contract}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("pending verification")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class PartnerRegistration(models.Model):
    """A subscription resold by a partner, as the partner registered it. Submitting creates the
    contract (pending) and, for a new end customer, the organisation; approval activates the
    contract and invites the first named contact."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("partner")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    contract = models.OneToOneField(
        Contract,
        on_delete=models.CASCADE,
        related_name="registration",
        verbose_name=_("contract"),
    )
    customer_is_new = models.BooleanField(_("new customer"), default=False)
    contact_name = models.CharField(_("first named contact: name"), max_length=150)
    contact_email = models.EmailField(_("first named contact: e-mail"))
    contact_phone = models.CharField(_("first named contact: phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("partner registration")
        verbose_name_plural = _("partner registrations")

    def __str__(self) -> str:
        return f"{self.partner} → {self.contract}"


class ReminderKind(models.TextChoices):
    DAYS_30 = "30d", _("30 days before the end")
    DAYS_7 = "7d", _("7 days before the end")


class ContractReminder(models.Model):
    """An expiry reminder that was sent; the unique constraint makes each one go out once."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("contract")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.kind}"
