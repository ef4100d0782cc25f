"""SLA reference data: tiers, the target matrix and holiday calendars.

These are data that support managers edit in the admin; the migrations seed what docs/spec.md
lists. The clocks that run against them belong to the tickets (tickets.sla).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sla.business_time import HoursSyntaxError, parse_hours


class Priority(models.TextChoices):
    P1 = "P1", _("P1 urgent")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 normal")
    P4 = "P4", _("P4 low")


class Metric(models.TextChoices):
    RESPONSE = "response", _("response")
    RESTORE = "restore", _("restore")
    FIX = "fix", _("fix")


class Channel(models.TextChoices):
    PORTAL = "portal", _("portal")
    API = "api", _("API")
    EMAIL = "email", _("e-mail")
    QQ = "qq", _("QQ")
    WECHAT = "wechat", _("WeChat")
    PHONE = "phone", _("phone")
    SKYPE = "skype", _("Skype")


# Where customers open tickets themselves; every tier is served by them. The other channels are
# logged by support staff, and only those of the contract's tier.
SELF_SERVICE_CHANNELS = (Channel.PORTAL, Channel.API)
# A customer's own mail reaches the e-mail channel's ingest service, which opens the ticket with
# no staff member in between; staff may also log a mail that reached them another way.
MAIL_CHANNELS = (Channel.EMAIL,)


def validate_hours(value: str) -> None:
    """Model and form validator for an agreed weekly hours pattern."""
    if not value:
        return
    try:
        parse_hours(value)
    except HoursSyntaxError as exc:
        raise ValidationError(str(exc), code="invalid_hours") from exc


class Tier(models.Model):
    """A support tier (5x8, 7x24): when support works, by which channels, how many named
    contacts a contract may have."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=60)
    hours = models.CharField(
        _("service hours"),
        max_length=300,
        blank=True,
        validators=[validate_hours],
        help_text=_(
            "When support works, in each contract's time zone, such as 'mon-fri 09:00-18:00'. "
            "Leave empty for round-the-clock support (every day, 00:00-24:00)."
        ),
    )
    channels = models.JSONField(_("channels"), default=list)
    max_named_contacts = models.PositiveSmallIntegerField(
        _("named support contacts (max)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self) -> str:
        return self.name

    @property
    def always_open(self) -> bool:
        return not self.hours

    def clean(self) -> None:
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            raise ValidationError(
                {
                    "channels": _("Unknown channels: %(names)s")
                    % {"names": ", ".join(sorted(unknown))}
                }
            )


class TargetUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


def target_text(amount: int, unit: str) -> str:
    """A target as people read it, with the plural the amount needs: "1 hour", "50 days"."""
    if unit == TargetUnit.DAYS:
        return ngettext("%(count)s day", "%(count)s days", amount) % {"count": amount}
    return ngettext("%(count)s hour", "%(count)s hours", amount) % {"count": amount}


class Target(models.Model):
    """One cell of the SLA matrix: how long support has for a metric at a priority and tier.
    An empty amount means the tier has no such target (no clock runs)."""

    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.CASCADE, related_name="targets"
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    amount = models.PositiveIntegerField(
        _("amount"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    unit = models.CharField(
        _("unit"), max_length=5, choices=TargetUnit.choices, default=TargetUnit.HOURS
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["tier__code", "priority", "metric"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "priority", "metric"], name="target_unique_cell"
            ),
        ]

    def __str__(self) -> str:
        metric = self.get_metric_display()
        return f"{self.tier.code} {self.priority} {metric}: {self.display_amount}"

    @property
    def display_amount(self) -> str:
        if self.amount is None:
            return str(_("none"))
        return target_text(self.amount, self.unit)


class HolidayCalendar(models.Model):
    """Public holidays and official make-up working days (调休) of a country, as dated rows."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_(
            "Two-letter country code, such as CN: the public holidays of a year can then be "
            "imported in one step."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    WORKDAY = "workday", _("make-up working day")


class CalendarDay(models.Model):
    calendar = models.ForeignKey(
        HolidayCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"
