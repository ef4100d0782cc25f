"""Forms for the partner area, the named-contacts page and the admin's intermediate pages.
Their cleaned_data keys are the keyword arguments of the matching service, so an edge does
`registration_submit(user=request.user, now=now, **form.cleaned_data)` and, on ServiceError,
`form.add_service_error(exc)`."""

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Customer, LicenceType, Product
from contracts.selectors import customers_for_partner
from contracts.validators import validate_proof
from core.admin_actions import ActionForm
from core.errors import ServiceError
from core.forms import IdChoiceField, IdMultipleChoiceField
from sla.models import HolidayCalendar, Tier

# The areas of geographic zone names (Area/City); "Factory", "localtime", "Etc/GMT+8", "US/..."
# and the other aliases name no place a contract is signed in.
ZONE_AREAS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip


def timezone_choices() -> list[tuple[str, str]]:
    names = (n for n in zoneinfo.available_timezones() if n.split("/", 1)[0] in ZONE_AREAS)
    return [(name, name) for name in sorted(n for n in names if "/" in n)]


class ServiceErrorFormMixin:
    def add_service_error(self, exc: ServiceError) -> None:
        """Show a refused service call on the field it names, else on the whole form."""
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class PartnerRegistrationForm(ServiceErrorFormMixin, forms.Form):
    customer = IdChoiceField(
        label=_("existing customer"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=_(
            "One of the customers you registered before, or leave empty and name a new one."
        ),
    )
    # Required unless an existing customer is chosen (clean() says so, code
    # "required_for_new_customer"); the page labels it that way, not "optional".
    customer_name_en = forms.CharField(
        label=_("new customer: name (English)"),
        max_length=200,
        required=False,
        help_text=_("Required when no existing customer is chosen."),
    )
    customer_name_zh = forms.CharField(
        label=_("new customer: name (Chinese)"), max_length=200, required=False
    )
    country = forms.CharField(
        label=_("new customer: country code"), max_length=2, initial="CN", required=False
    )
    products = IdMultipleChoiceField(
        label=_("products"), queryset=Product.objects.filter(commercially_supported=True)
    )
    tier = IdChoiceField(label=_("tier"), queryset=Tier.objects.all())
    licence_type = forms.ChoiceField(label=_("licence type"), choices=LicenceType.choices)
    contract_number = forms.CharField(label=_("contract number"), max_length=50)
    licence_number = forms.CharField(label=_("licence number"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("term start"))
    ends_on = forms.DateField(label=_("term end"))
    timezone = forms.ChoiceField(
        label=_("time zone"),
        choices=timezone_choices,
        initial="Asia/Shanghai",
        help_text=_("The time zone named in the signed contract."),
    )
    calendar = IdChoiceField(label=_("holiday calendar"), queryset=HolidayCalendar.objects.all())
    proof = forms.FileField(
        label=_("proof document"),
        help_text=_("The signed contract or order: a PDF, PNG or JPEG file."),
    )
    contact_name = forms.CharField(label=_("first named contact: name"), max_length=150)
    contact_email = forms.EmailField(label=_("first named contact: e-mail"), max_length=254)
    contact_phone = forms.CharField(
        label=_("first named contact: phone"), max_length=40, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers_for_partner(user)

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        validate_proof(proof)
        return proof

    def clean(self):
        data = super().clean()
        customer, name_en = data.get("customer"), (data.get("customer_name_en") or "").strip()
        if customer is not None and name_en:
            self.add_error(
                "customer_name_en",
                forms.ValidationError(
                    _("Either pick an existing customer or name a new one, not both."),
                    code="customer_and_name",
                ),
            )
        elif customer is None and not name_en:
            self.add_error(
                "customer_name_en",
                forms.ValidationError(
                    _("Pick one of your customers or give the new customer's name."),
                    code="required_for_new_customer",
                ),
            )
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The term cannot end before it starts."))
        return data


class SupportContactForm(ServiceErrorFormMixin, forms.Form):
    """Add a named contact: `contact_add(contract=..., added_by=..., now=..., **cleaned_data)`."""

    email = forms.EmailField(label=_("e-mail"), max_length=254)
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    qq = forms.CharField(label=_("QQ"), max_length=40, required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=60, required=False)
    skype = forms.CharField(label=_("Skype"), max_length=60, required=False)


class ReasonForm(ActionForm):
    """The admin's actions that need a reason (reject, suspend)."""

    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


class ChangeTierForm(ActionForm):
    tier = IdChoiceField(label=_("new tier"), queryset=Tier.objects.all())
