"""Admin of contracts. Status and tier changes go through the services: status is read-only
here and changed by actions; a tier edited on the form is applied by contract_change_tier
after the contacts inline (see contracts.admin.contacts) has been saved."""

from datetime import timedelta
from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contracts.admin.contacts import SupportContactInline, save_contacts_formset
from contracts.forms import ChangeTierForm, ReasonForm
from contracts.models import Contract, ContractStatus, SupportContact
from contracts.selectors import contract_duplicates, duplicate_reasons, with_duplicate_flag
from contracts.services import (
    contract_change_tier,
    contract_reactivate,
    contract_suspend,
    contract_verify,
)
from contracts.validators import validate_proof
from core.admin_actions import ConfirmForm, ServiceAction, ServiceActionsMixin
from core.badges import badge, status_badge
from core.errors import ServiceError
from core.files import private_file_response
from sla.models import Tier
from sla.services import reference_data_changed


class PrivateFileInput(forms.ClearableFileInput):
    """Proofs have no URL (private storage): show no link; ContractAdmin.proof_view serves
    the file to staff."""

    def is_initial(self, value):
        return False


class ContractAdminForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "number",
            "customer",
            "products",
            "tier",
            "licence_type",
            "licence_number",
            "sold_by",
            "starts_on",
            "ends_on",
            "timezone",
            "calendar",
            "agreed_hours",
            "proof",
        ]
        widgets = {"proof": PrivateFileInput}

    def clean_proof(self):
        proof = self.cleaned_data.get("proof")
        if isinstance(proof, UploadedFile):
            proof.name = f"proof.{validate_proof(proof)}"
        return proof


class ExpiryFilter(admin.SimpleListFilter):
    title = _("term ends")
    parameter_name = "ends"

    def lookups(self, request, model_admin):
        return [
            ("past", _("already ended")),
            ("7", _("within 7 days")),
            ("30", _("within 30 days")),
            ("90", _("within 90 days")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "past":
            return queryset.filter(ends_on__lt=today)
        if self.value() in ("7", "30", "90"):
            days = int(self.value())
            return queryset.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=days))
        return queryset


# --- actions ----------------------------------------------------------------------------------


def _verify(contract, data, user, now):
    contract_verify(contract=contract, by=user, now=now)
    return gettext("Contract verified.")


def _suspend(contract, data, user, now):
    contract_suspend(contract=contract, by=user, reason=data["reason"], now=now)
    return gettext("Contract suspended.")


def _reactivate(contract, data, user, now):
    contract_reactivate(contract=contract, by=user, now=now)
    return gettext("Contract reactivated.")


def _change_tier(contract, data, user, now):
    contract_change_tier(contract=contract, tier=data["tier"], by=user, now=now)
    return gettext("Tier changed.")


CONTRACT_ACTIONS = {
    "verify": ServiceAction(
        _("Verify"),
        ConfirmForm,
        _verify,
        lambda c, ctx: c.status == ContractStatus.PENDING,
        done=lambda n: ngettext("Verified %(count)d contract.", "Verified %(count)d contracts.", n),
        permission="manage",
        list_label=_("Verify the selected contracts"),
    ),
    "suspend": ServiceAction(
        _("Suspend"),
        ReasonForm,
        _suspend,
        lambda c, ctx: c.status == ContractStatus.ACTIVE,
        _("Suspended contracts accept no new tickets. The reason is kept on each."),
        done=lambda n: ngettext(
            "Suspended %(count)d contract.", "Suspended %(count)d contracts.", n
        ),
        permission="manage",
        list_label=_("Suspend the selected contracts"),
    ),
    "reactivate": ServiceAction(
        _("Reactivate"),
        ConfirmForm,
        _reactivate,
        lambda c, ctx: c.status in (ContractStatus.SUSPENDED, ContractStatus.EXPIRED),
        done=lambda n: ngettext(
            "Reactivated %(count)d contract.", "Reactivated %(count)d contracts.", n
        ),
        permission="manage",
        list_label=_("Reactivate the selected contracts"),
    ),
    "change_tier": ServiceAction(
        _("Change the tier"),
        ChangeTierForm,
        _change_tier,
        help=_(
            "A contract with more named contacts than the new tier allows keeps its tier; "
            "the message names the contacts to remove first."
        ),
        done=lambda n: ngettext(
            "Changed the tier of %(count)d contract.",
            "Changed the tier of %(count)d contracts.",
            n,
        ),
        permission="manage",
        list_label=_("Change the tier of the selected contracts"),
    ),
}


@admin.register(Contract)
class ContractAdmin(ServiceActionsMixin, admin.ModelAdmin):
    form = ContractAdminForm
    list_display = [
        "number",
        "customer",
        "tier",
        "status_display",
        "sold_by",
        "starts_on",
        "ends_on",
        "days_left",
        "contacts_cap",
        "duplicate_badge",
    ]
    list_filter = ["status", "tier", "sold_by", ExpiryFilter, "licence_type", "products"]
    search_fields = [
        "number",
        "licence_number",
        "customer__name_en",
        "customer__name_zh",
        "sold_by__name",
    ]
    list_select_related = ["customer", "tier", "sold_by"]
    autocomplete_fields = ["customer", "sold_by", "products", "calendar"]
    date_hierarchy = "ends_on"
    inlines = [SupportContactInline]
    service_actions = CONTRACT_ACTIONS
    list_service_actions = ("verify", "suspend", "reactivate", "change_tier")
    readonly_fields = [
        "status_display",
        "status_changed_at",
        "status_changed_by",
        "status_reason",
        "proof_link",
        "registration_link",
        "duplicates",
        "created_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "customer",
                    "products",
                    "tier",
                    "licence_type",
                    "licence_number",
                    "sold_by",
                ]
            },
        ),
        (
            _("Term and service hours"),
            {"fields": ["starts_on", "ends_on", "timezone", "calendar", "agreed_hours"]},
        ),
        (_("Proof of eligibility"), {"fields": ["proof", "proof_link", "registration_link"]}),
        (
            _("Status"),
            {
                "fields": [
                    "status_display",
                    "status_changed_at",
                    "status_changed_by",
                    "status_reason",
                    "created_at",
                ],
                "description": _("Change the status with the actions of the contract list."),
            },
        ),
        (_("Possible duplicates"), {"fields": ["duplicates"]}),
    ]

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .select_related("customer", "tier", "sold_by", "calendar", "status_changed_by")
            .annotate(contact_count=Count("contacts"))
        )
        return with_duplicate_flag(qs)

    # --- columns and read-only fields ----------------------------------------------------------
    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: Contract):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("days left"), ordering="ends_on")
    def days_left(self, obj: Contract):
        days = (obj.ends_on - timezone.localdate()).days
        if days < 0:
            return badge(_("ended"), "grey")
        return badge(days, "red" if days <= 7 else "amber" if days <= 30 else "green")

    @admin.display(description=_("named contacts"), ordering="contact_count")
    def contacts_cap(self, obj: Contract):
        cap = obj.tier.max_named_contacts
        text = f"{obj.contact_count}/{cap}"
        return badge(text, "red" if obj.contact_count > cap else "grey")

    @admin.display(description=_("duplicate?"), boolean=False)
    def duplicate_badge(self, obj: Contract):
        if getattr(obj, "has_duplicates", False):
            return badge(_("possible duplicate"), "amber")
        return ""

    @admin.display(description=_("download"))
    def proof_link(self, obj: Contract):
        if not obj.pk or not obj.proof:
            return "—"
        url = reverse("admin:contracts_contract_proof", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the proof document"))

    @admin.display(description=_("partner registration"))
    def registration_link(self, obj: Contract):
        registration = getattr(obj, "registration", None) if obj.pk else None
        if registration is None:
            return "—"
        url = reverse("admin:contracts_partnerregistration_change", args=[registration.pk])
        return format_html(
            '<a href="{}">{}</a> {}',
            url,
            registration,
            status_badge(registration.status, registration.get_status_display()),
        )

    @admin.display(description=_("possible duplicates"))
    def duplicates(self, obj: Contract):
        if not obj.pk:
            return "—"
        rows = [
            (
                reverse("admin:contracts_contract_change", args=[other.pk]),
                other.number,
                other.customer,
                other.get_status_display(),
                ", ".join(str(r) for r in duplicate_reasons(obj, other)),
            )
            for other in contract_duplicates(obj)
        ]
        if not rows:
            return _("none found")
        return format_html_join(format_html("<br>"), '<a href="{}">{}</a> · {} · {} · {}', rows)

    # --- saving: the tier and the contacts through the services --------------------------------
    def save_model(self, request, obj, form, change):
        if change and "tier" in form.changed_data:
            # Changed after the contacts inline is saved, by contract_change_tier.
            obj._requested_tier = obj.tier
            obj.tier = Tier.objects.get(pk=form.initial["tier"])
        super().save_model(request, obj, form, change)
        if change and {"agreed_hours", "timezone", "calendar"} & set(form.changed_data):
            reference_data_changed(contract=obj)  # recompute the open tickets' due times

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        tier = getattr(form.instance, "_requested_tier", None)
        if tier is not None:
            try:
                contract_change_tier(
                    contract=form.instance, tier=tier, by=request.user, now=timezone.now()
                )
            except ServiceError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if formset.model is not SupportContact:
            return super().save_formset(request, form, formset, change)
        try:
            save_contacts_formset(formset, contract=form.instance, by=request.user)
        except ServiceError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)

    # --- the proof, served privately -----------------------------------------------------------
    def get_urls(self):
        proof = path(
            "<path:object_id>/proof/",
            self.admin_site.admin_view(self.proof_view),
            name="contracts_contract_proof",
        )
        return [proof, *super().get_urls()]

    def proof_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        suffix = PurePath(obj.proof.name).suffix
        return private_file_response(obj.proof, filename=f"{obj.number}-proof{suffix}")
