"""Support staff log a new ticket on behalf of a customer (a phone call, a WeChat message, an
e-mail ...): a form on its own admin page that calls ticket_open with `logged_by`. Whether the
contract entitles the customer, and whether the tier is served by the channel, is the services'
decision; their refusals become form errors."""

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Contract, Product, ProductVersion, SupportContact
from contracts.selectors import contacts_for_user
from core.errors import ServiceError
from sla.models import SELF_SERVICE_CHANNELS, Channel, Priority
from tickets.models import Ticket
from tickets.services import ticket_open

# The entitlement service names no form field: the field its refusal is about.
REFUSAL_FIELD = {
    "pending": "contract",
    "rejected": "contract",
    "suspended": "contract",
    "expired": "contract",
    "not_started": "contract",
    "partner_lapsed": "contract",
    "community_only": "product",
    "product_not_covered": "product",
    "version_mismatch": "version",
    "version_end_of_support": "version",
}
CONTACTS_PER_PAGE = 20


def contact_name(user) -> str:
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else user.email


class ContactAutocomplete(AutocompleteSelect):
    """The admin's autocomplete over named support contacts: users have no admin of their own,
    so the search is the ticket admin's contact search (TicketLogAdminMixin)."""

    def get_url(self):
        return reverse("admin:tickets_ticket_log_contacts", current_app=self.admin_site.name)


class ReporterField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return contact_name(obj)


class TicketLogForm(forms.Form):
    """The keyword arguments of ticket_open that staff type in."""

    contract = forms.ModelChoiceField(
        label=gettext_lazy("Contract"),
        # What ticket_open and the entitlement check read of the contract, in one query.
        queryset=Contract.objects.select_related("customer", "tier", "calendar", "sold_by"),
        help_text=gettext_lazy(
            "Search by contract number or customer. A contract that is not active is refused "
            "with the reason."
        ),
    )
    reporter = ReporterField(
        label=gettext_lazy("Reporter"),
        queryset=get_user_model().objects.filter(
            Exists(SupportContact.objects.filter(user=OuterRef("pk")))
        ),
        help_text=gettext_lazy(
            "The named support contact of the contract who reported the problem. Search by "
            "name, e-mail or contract number."
        ),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[
            ("", "---------"),
            *[c for c in Channel.choices if c[0] not in SELF_SERVICE_CHANNELS],
        ],
        help_text=gettext_lazy(
            "How the customer reached support; it must be a channel of the contract's tier."
        ),
    )
    on_duty_name = forms.CharField(
        label=gettext_lazy("On-duty contact"),
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "7x24 contracts: reachable at any time until the issue is resolved."
        ),
    )
    on_duty_phone = forms.CharField(
        label=gettext_lazy("On-duty phone"), max_length=40, required=False
    )
    product = forms.ModelChoiceField(label=gettext_lazy("Product"), queryset=Product.objects.all())
    version = forms.ModelChoiceField(
        label=gettext_lazy("Version"),
        queryset=ProductVersion.objects.select_related("product"),
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        choices=[("", "---------"), *Priority.choices],
        help_text=gettext_lazy(
            "P1: no service at all (crash, cannot start, refuses connections). P2: major "
            "functions fail or production is unstable. P3: a fault with some or slight impact, "
            "an enhancement request, or a non-production system. P4: no business impact."
        ),
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 8})
    )
    environment = forms.CharField(
        label=gettext_lazy("Environment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Deployment, versions, operating system, cluster size."),
    )
    unmodified_build = forms.BooleanField(
        label=gettext_lazy(
            "The customer declares that the software is neither modified nor recompiled."
        ),
        required=False,
    )

    FIELDSETS = [
        (
            gettext_lazy("Customer"),
            ["contract", "reporter", "channel", "on_duty_name", "on_duty_phone"],
        ),
        (
            gettext_lazy("Problem"),
            [
                "product",
                "version",
                "priority",
                "subject",
                "description",
                "environment",
                "unmodified_build",
            ],
        ),
    ]

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].widget = AutocompleteSelect(
            Ticket._meta.get_field("contract"), admin_site
        )
        self.fields["reporter"].widget = ContactAutocomplete(
            Ticket._meta.get_field("reporter"), admin_site
        )
        for name in ("contract", "reporter"):
            self.fields[name].widget.choices = self.fields[name].choices
            self.fields[name].widget.is_required = True

    def clean(self):
        data = super().clean()
        contract, reporter = data.get("contract"), data.get("reporter")
        if (
            contract
            and reporter
            and not SupportContact.objects.filter(contract=contract, user=reporter).exists()
        ):
            self.add_error(
                "reporter",
                _("%(user)s is not a named support contact of contract %(number)s.")
                % {"user": contact_name(reporter), "number": contract.number},
            )
        return data

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.FIELDSETS]

    def add_refusal(self, exc: ServiceError) -> None:
        field = exc.field if exc.field in self.fields else REFUSAL_FIELD.get(exc.code)
        self.add_error(field, exc.message)


class TicketLogAdminMixin:
    """The "Log a ticket" page of the ticket admin, and the contact search behind its reporter
    field."""

    log_template = "admin/tickets/ticket/log.html"

    def has_log_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}")

    def log_urls(self) -> list:
        return [
            path(
                "log/",
                self.admin_site.admin_view(self.log_view),
                name="tickets_ticket_log",
            ),
            path(
                "log/contacts/",
                self.admin_site.admin_view(self.log_contacts_view),
                name="tickets_ticket_log_contacts",
            ),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_log_permission(request):
            extra_context["log_ticket_url"] = reverse(
                "admin:tickets_ticket_log", current_app=self.admin_site.name
            )
        return super().changelist_view(request, extra_context)

    def log_view(self, request):
        if not self.has_log_permission(request):
            raise PermissionDenied
        form = TicketLogForm(
            request.POST if request.method == "POST" else None, admin_site=self.admin_site
        )
        if request.method == "POST" and form.is_valid():
            now = timezone.now()
            try:
                ticket = ticket_open(**form.cleaned_data, logged_by=request.user, now=now)
            except ServiceError as exc:
                form.add_refusal(exc)
            else:
                self.message_user(
                    request,
                    _("Ticket #%(number)s is logged for %(customer)s; its SLA clocks run.")
                    % {"number": ticket.pk, "customer": ticket.contract.customer},
                    level=messages.SUCCESS,
                )
                return redirect(
                    reverse(
                        "admin:tickets_ticket_change",
                        args=[ticket.pk],
                        current_app=self.admin_site.name,
                    )
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Log a ticket"),
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, self.log_template, context)

    def log_contacts_view(self, request):
        """Select2's JSON: named contacts matching the term, with their contract."""
        if not self.has_log_permission(request):
            raise PermissionDenied
        contact_admin = self.admin_site.get_model_admin(SupportContact)
        contacts = contacts_for_user(request.user).select_related("contract__customer")
        contacts, _duplicates = contact_admin.get_search_results(
            request, contacts, request.GET.get("term", "").strip()
        )
        page = Paginator(contacts.order_by("contract__number", "pk"), CONTACTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return JsonResponse(
            {
                "results": [
                    {
                        "id": str(contact.user_id),
                        "text": f"{contact_name(contact.user)} · {contact.contract.number}, "
                        f"{contact.contract.customer}",
                    }
                    for contact in page
                ],
                "pagination": {"more": page.has_next()},
            }
        )
