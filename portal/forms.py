"""Forms of the portal pages. They parse input; rules live in the apps' services."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.forms.models import ModelChoiceIterator
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.forms import IdChoiceField
from sla.models import Priority


class EmailLoginForm(AuthenticationForm):
    """Log in with e-mail and password. AuthenticationForm passes the request to authenticate(),
    which django-axes needs to count failures."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not correct."),
    }


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # The mail goes out in the language the user chose, not the one of this request.
        with translation.override(getattr(context.get("user"), "language", None)):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class TwoFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TokenRevokeForm(forms.Form):
    """Which of the user's API tokens to revoke: the first characters the page shows."""

    token_key = forms.CharField(max_length=25)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (`<input type=file multiple>`); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class VersionSelect(forms.Select):
    """Options carry `data-contracts`: the ids of the user's contracts covering the product, so
    the page can show only the versions of the chosen contract."""

    contracts_of_product: dict[int, list[int]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            ids = self.contracts_of_product.get(instance.product_id, [])
            option["attrs"]["data-contracts"] = " ".join(str(pk) for pk in ids)
        return option


class VersionIterator(ModelChoiceIterator):
    """The versions grouped by product (an <optgroup> each)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for obj in self.queryset:
            groups.setdefault(obj.product.name, []).append(self.choice(obj))
        yield from groups.items()


class VersionChoiceField(IdChoiceField):
    iterator = VersionIterator
    widget = VersionSelect

    def __init__(self, *args, **kwargs):
        self.today = None
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        if self.today and obj.end_of_support < self.today:
            return _("%(version)s (end of support)") % {"version": obj.name}
        return obj.name


class TicketForm(forms.Form):
    """Open a ticket. Entitlement, channel, on-duty contact and build rules are the service's
    (tickets.services.ticket_open); this form only offers the user's contracts and the versions
    those contracts cover."""

    contract = IdChoiceField(label=_("Contract"), queryset=None, empty_label=_("Choose a contract"))
    version = VersionChoiceField(
        label=_("Product and version"),
        queryset=None,
        empty_label=_("Choose the version you run"),
    )
    priority = forms.ChoiceField(label=_("Priority"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happens, since when, what you expected, error messages."),
    )
    environment = forms.CharField(
        label=_("Environment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Deployment (cluster size, OS, cloud), related versions."),
    )
    on_duty_name = forms.CharField(
        label=_("On-duty contact: name"),
        required=False,
        max_length=150,
        help_text=_("Someone we can reach at any time until the issue is resolved."),
    )
    on_duty_phone = forms.CharField(
        label=_("On-duty contact: phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    unmodified_build = forms.BooleanField(
        label=_("I confirm the software is neither modified nor recompiled."),
        required=False,
        help_text=_("Commercial support covers unmodified builds only."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Logs, configuration, archives (.log .txt .conf .json .yaml .zip .gz ...)."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = choices.contracts
        self.fields["contract"].widget.attrs["data-contract-select"] = ""
        version = self.fields["version"]
        version.queryset = choices.versions
        version.today = choices.today
        version.widget.contracts_of_product = choices.contracts_of_product
        version.widget.attrs["data-version-select"] = ""
        self.fields["priority"].choices = Priority.choices
        if len(choices.open_contract_ids) == 1 and not self.is_bound:
            self.initial.setdefault("contract", choices.open_contract_ids[0])

    def ticket_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        version = data.pop("version")
        return {**data, "version": version, "product": version.product}


class FollowUpForm(forms.Form):
    """A follow-up of a closed ticket: same contract, product and version; a new subject,
    description and priority (tickets.services.ticket_follow_up)."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("What happens now"), widget=forms.Textarea(attrs={"rows": 5})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, widget=forms.RadioSelect
    )
    unmodified_build = forms.BooleanField(
        label=_("I confirm the software is neither modified nor recompiled."), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"))


class NotificationLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("E-mail me about"),
        widget=forms.RadioSelect,
        help_text=_(
            "The acknowledgement of a ticket you open and SLA breach notices are always sent."
        ),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = choices


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))


class RemoteSessionForm(forms.Form):
    """The slot is a wall-clock time in the contract's zone (`<input type=datetime-local>`)."""

    starts_at = forms.DateTimeField(
        label=_("Start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Length"),
        coerce=int,
        initial=30,
        choices=[(30, _("30 minutes")), (60, _("1 hour")), (90, _("90 minutes"))],
    )
    project_context = forms.CharField(
        label=_("Project context"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Deployment, versions, what is failing, what you want to look at together."),
    )

    def __init__(self, *args, tz: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["starts_at"].help_text = _("Local time of the contract (%(zone)s).") % {
            "zone": tz
        }

    def full_clean(self):
        # Django makes the naive datetime-local value aware in the current zone: the contract's.
        with timezone.override(zoneinfo.ZoneInfo(self.tz)):
            super().full_clean()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What solved it?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; it is kept in the ticket's history."),
    )


class SatisfactionForm(forms.Form):
    """A rating of a resolved ticket (tickets.services.satisfaction_rate)."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling of this ticket?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (1, _("1 – very dissatisfied")),
            (2, _("2 – dissatisfied")),
            (3, _("3 – neutral")),
            (4, _("4 – satisfied")),
            (5, _("5 – very satisfied")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
