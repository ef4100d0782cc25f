"""The verification queue: partner registrations, pending ones first (oldest first), with a
badge on possible duplicates. Approve and reject are actions, and buttons on the change page;
rejecting asks for the reason on an intermediate page. Both call the services."""

from django.contrib import admin
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contracts.forms import ReasonForm
from contracts.models import PartnerRegistration, RegistrationStatus
from contracts.selectors import duplicate_reasons, registration_duplicates, with_duplicate_flag
from contracts.services import registration_approve, registration_reject
from core.admin_actions import ConfirmForm, ReadOnlyAdmin, ServiceAction, ServiceActionsMixin
from core.badges import badge, status_badge
from core.timefmt import local_time


def _pending(registration, context) -> bool:
    return registration.status == RegistrationStatus.PENDING


def _approve(registration, data, user, now):
    registration_approve(registration=registration, by=user, now=now)
    return gettext("Registration approved: the contract is active and its first contact invited.")


def _reject(registration, data, user, now):
    registration_reject(registration=registration, by=user, reason=data["reason"], now=now)
    return gettext("Registration rejected; the partner is told why.")


def _approve_question(registrations: list) -> str:
    """The confirmation page's title: a question, since nothing is approved yet."""
    if len(registrations) == 1:
        return gettext("Approve registration %(contract)s?") % {
            "contract": registrations[0].contract.number
        }
    count = len(registrations)
    return ngettext(
        "Approve %(count)d registration?", "Approve %(count)d registrations?", count
    ) % {"count": count}


def _reject_question(registrations: list) -> str:
    if len(registrations) == 1:
        return gettext("Reject registration %(contract)s?") % {
            "contract": registrations[0].contract.number
        }
    count = len(registrations)
    return ngettext("Reject %(count)d registration?", "Reject %(count)d registrations?", count) % {
        "count": count
    }


# Partners register in the portal; nothing is edited by hand: decisions go through these.
REGISTRATION_ACTIONS = {
    "approve": ServiceAction(
        _("Approve"),
        ConfirmForm,
        _approve,
        _pending,
        _("The contract becomes active and its first named contact is invited by e-mail."),
        done=lambda n: ngettext(
            "Approved %(count)d registration.", "Approved %(count)d registrations.", n
        ),
        permission="decide",
        list_label=_("Approve the selected registrations"),
        question=_approve_question,
    ),
    "reject": ServiceAction(
        _("Reject"),
        ReasonForm,
        _reject,
        _pending,
        _("The partner receives the reason by e-mail; the contract becomes rejected."),
        done=lambda n: ngettext(
            "Rejected %(count)d registration.", "Rejected %(count)d registrations.", n
        ),
        permission="decide",
        list_label=_("Reject the selected registrations"),
        question=_reject_question,
    ),
}


@admin.register(PartnerRegistration)
class PartnerRegistrationAdmin(ServiceActionsMixin, ReadOnlyAdmin):
    list_display = [
        "contract_number",
        "customer",
        "new_customer",
        "partner",
        "tier",
        "term",
        "status_display",
        "duplicate_badge",
        "submitted",
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
    service_actions = REGISTRATION_ACTIONS
    list_service_actions = ("approve", "reject")
    fieldsets = [
        (None, {"fields": ["partner", "submitted_by", "submitted", "status_display"]}),
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
        (_("Decision"), {"fields": ["decided", "decided_by", "rejection_reason"]}),
    ]
    readonly_fields = [
        "partner",
        "submitted_by",
        "submitted",
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
        "decided",
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

    # --- columns and read-only fields ----------------------------------------------------------
    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, obj):
        """In the contract's time zone, named, and in UTC (docs/spec.md: staff pages)."""
        return local_time(obj.submitted_at, obj.contract.timezone, utc=True)

    @admin.display(description=_("decided"), ordering="decided_at")
    def decided(self, obj):
        return local_time(obj.decided_at, obj.contract.timezone, utc=True) or "—"

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
