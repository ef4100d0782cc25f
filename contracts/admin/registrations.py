"""The verification queue: partner registrations, pending ones first (oldest first), with a
badge on possible duplicates. Approve and reject are actions, and buttons on the change page;
rejecting asks for the reason on an intermediate page. Both call the services."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.errors import ServiceError
from contracts.admin.common import badge, render_action_form, run_service_each, status_badge
from contracts.forms import ReasonForm
from contracts.models import PartnerRegistration, RegistrationStatus
from contracts.selectors import duplicate_reasons, registration_duplicates, with_duplicate_flag
from contracts.services import registration_approve, registration_reject


def _approved(n: int) -> str:
    return ngettext("Approved %(count)d registration.", "Approved %(count)d registrations.", n)


def _rejected(n: int) -> str:
    return ngettext("Rejected %(count)d registration.", "Rejected %(count)d registrations.", n)


@admin.register(PartnerRegistration)
class PartnerRegistrationAdmin(admin.ModelAdmin):
    change_form_template = "admin/contracts/partnerregistration/change_form.html"
    list_display = [
        "contract_number",
        "customer",
        "new_customer",
        "partner",
        "tier",
        "term",
        "status_display",
        "duplicate_badge",
        "submitted_at",
    ]
    list_filter = ["status", "partner", "customer_is_new", "contract__tier"]
    search_fields = [
        "contract__number",
        "contract__licence_number",
        "contract__customer__name_en",
        "contract__customer__name_zh",
        "partner__name",
        "contact_email",
    ]
    list_select_related = ["partner", "contract__customer", "contract__tier"]
    date_hierarchy = "submitted_at"
    actions = ["approve", "reject"]
    fieldsets = [
        (None, {"fields": ["partner", "submitted_by", "submitted_at", "status_display"]}),
        (
            _("What was registered"),
            {
                "fields": [
                    "contract_link",
                    "customer",
                    "new_customer",
                    "products",
                    "tier",
                    "term",
                    "licence",
                    "proof_link",
                ]
            },
        ),
        (_("First named contact"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
        (_("Possible duplicates"), {"fields": ["duplicates"]}),
        (_("Decision"), {"fields": ["decided_at", "decided_by", "rejection_reason"]}),
    ]
    readonly_fields = [
        "partner",
        "submitted_by",
        "submitted_at",
        "status_display",
        "contract_link",
        "customer",
        "new_customer",
        "products",
        "tier",
        "term",
        "licence",
        "proof_link",
        "contact_name",
        "contact_email",
        "contact_phone",
        "duplicates",
        "decided_at",
        "decided_by",
        "rejection_reason",
    ]

    def get_ordering(self, request):
        # Pending first, the longest waiting on top; then decided ones, newest first.
        pending = Q(status=RegistrationStatus.PENDING)
        return [
            Case(When(pending, then=Value(0)), default=Value(1), output_field=IntegerField()).asc(),
            Case(When(pending, then=F("submitted_at"))).asc(nulls_last=True),
            "-submitted_at",
        ]

    def get_queryset(self, request):
        qs = (
            super()
            .get_queryset(request)
            .select_related(
                "partner", "contract__customer", "contract__tier", "submitted_by", "decided_by"
            )
        )
        return with_duplicate_flag(qs, "contract__")

    def has_add_permission(self, request):
        return False  # partners register in the portal

    def has_change_permission(self, request, obj=None):
        # Nothing is edited by hand: decisions go through approve and reject.
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("contracts.change_partnerregistration")

    # --- columns and read-only fields ----------------------------------------------------------
    @admin.display(description=_("contract"), ordering="contract__number")
    def contract_number(self, obj):
        return obj.contract.number

    @admin.display(description=_("customer"), ordering="contract__customer__name_en")
    def customer(self, obj):
        return obj.contract.customer

    @admin.display(description=_("new customer"), ordering="customer_is_new")
    def new_customer(self, obj):
        return badge(_("new"), "blue") if obj.customer_is_new else ""

    @admin.display(description=_("tier"), ordering="contract__tier__code")
    def tier(self, obj):
        return obj.contract.tier

    @admin.display(description=_("term"), ordering="contract__ends_on")
    def term(self, obj):
        return f"{obj.contract.starts_on.isoformat()} – {obj.contract.ends_on.isoformat()}"

    @admin.display(description=_("products"))
    def products(self, obj):
        return ", ".join(p.name for p in obj.contract.products.all())

    @admin.display(description=_("licence"))
    def licence(self, obj):
        contract = obj.contract
        return f"{contract.get_licence_type_display()} {contract.licence_number}".strip()

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("duplicate?"))
    def duplicate_badge(self, obj):
        if getattr(obj, "has_duplicates", False):
            return badge(_("possible duplicate"), "amber")
        return ""

    @admin.display(description=_("contract"))
    def contract_link(self, obj):
        url = reverse("admin:contracts_contract_change", args=[obj.contract_id])
        return format_html(
            '<a href="{}">{}</a> {}',
            url,
            obj.contract.number,
            status_badge(obj.contract.status, obj.contract.get_status_display()),
        )

    @admin.display(description=_("proof document"))
    def proof_link(self, obj):
        if not obj.contract.proof:
            return "—"
        url = reverse("admin:contracts_contract_proof", args=[obj.contract_id])
        return format_html('<a href="{}">{}</a>', url, _("Download the proof document"))

    @admin.display(description=_("possible duplicates"))
    def duplicates(self, obj):
        rows = [
            (
                reverse("admin:contracts_contract_change", args=[other.pk]),
                other.number,
                other.customer,
                other.sold_by or _("direct"),
                other.get_status_display(),
                ", ".join(str(r) for r in duplicate_reasons(obj.contract, other)),
            )
            for other in registration_duplicates(obj)
        ]
        if not rows:
            return _("none found")
        return format_html_join(
            format_html("<br>"), '<a href="{}">{}</a> · {} · {} · {} · {}', rows
        )

    # --- decisions -------------------------------------------------------------------------------
    @admin.action(description=_("Approve the selected registrations"), permissions=["decide"])
    def approve(self, request, queryset):
        run_service_each(
            self,
            request,
            queryset,
            lambda r, now: registration_approve(registration=r, by=request.user, now=now),
            _approved,
        )

    @admin.action(description=_("Reject the selected registrations…"), permissions=["decide"])
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_service_each(
                self,
                request,
                queryset,
                lambda r, now: registration_reject(
                    registration=r, by=request.user, reason=reason, now=now
                ),
                _rejected,
            )
            return None
        return render_action_form(
            self,
            request,
            objects=queryset,
            form=form,
            title=_g("Reject registrations"),
            intro=_g("The partner receives the reason by e-mail; the contract becomes rejected."),
            submit_label=_g("Reject"),
            action_name="reject",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/approve/",
                view(self.approve_view),
                name="contracts_partnerregistration_approve",
            ),
            path(
                "<path:object_id>/reject/",
                view(self.reject_view),
                name="contracts_partnerregistration_reject",
            ),
            *super().get_urls(),
        ]

    def _decide(self, request, object_id, *, form, title, intro, submit_label, decide):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_decide_permission(request):
            return redirect("admin:contracts_partnerregistration_changelist")
        if request.method == "POST" and form.is_valid():
            try:
                decide(obj, timezone.now())
            except ServiceError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, title, level=messages.SUCCESS)
            return redirect("admin:contracts_partnerregistration_change", obj.pk)
        return render_action_form(
            self,
            request,
            objects=[obj],
            form=form,
            title=title,
            intro=intro,
            submit_label=submit_label,
        )

    def approve_view(self, request, object_id):
        return self._decide(
            request,
            object_id,
            form=forms.Form(request.POST if request.method == "POST" else None),
            title=_g("Registration approved"),
            intro=_g(
                "The contract becomes active and its first named contact is invited by e-mail."
            ),
            submit_label=_g("Approve"),
            decide=lambda r, now: registration_approve(registration=r, by=request.user, now=now),
        )

    def reject_view(self, request, object_id):
        form = ReasonForm(request.POST if request.method == "POST" else None)
        return self._decide(
            request,
            object_id,
            form=form,
            title=_g("Registration rejected"),
            intro=_g("The partner receives the reason by e-mail; the contract becomes rejected."),
            submit_label=_g("Reject"),
            decide=lambda r, now: registration_reject(
                registration=r, by=request.user, reason=form.cleaned_data["reason"], now=now
            ),
        )
