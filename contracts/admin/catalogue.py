"""Admin of the reference data around contracts: products and versions, customers, partners."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Customer, Partner, PartnerStatus, Product, ProductVersion
from core.badges import badge, status_badge


class ProductVersionInline(admin.TabularInline):
    model = ProductVersion
    extra = 0
    fields = ["name", "released_on", "end_of_maintenance", "end_of_support"]
    ordering = ["-released_on", "-name"]


def lifecycle_badge(version: ProductVersion, today):
    if today > version.end_of_support:
        return badge(_("end of support"), "red")
    if today > version.end_of_maintenance:
        return badge(_("support only, no fixes"), "amber")
    return badge(_("maintained"), "green")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "support_badge", "version_count", "links"]
    list_filter = ["commercially_supported"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ProductVersionInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "commercially_supported"]}),
        (
            _("Community resources"),
            {
                "fields": ["docs_url", "knowledge_base_url", "forum_url"],
                "description": _(
                    "Shown instead of the ticket form for products without commercial support."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    @admin.display(description=_("support"), ordering="commercially_supported")
    def support_badge(self, obj: Product):
        if obj.commercially_supported:
            return badge(_("commercial"), "green")
        return badge(_("community only"), "grey")

    @admin.display(description=_("versions"), ordering="version_count")
    def version_count(self, obj: Product):
        return obj.version_count

    @admin.display(description=_("community links"))
    def links(self, obj: Product):
        urls = [u for u in (obj.docs_url, obj.knowledge_base_url, obj.forum_url) if u]
        return format_html_join(
            " · ", '<a href="{}" rel="noopener" target="_blank">{}</a>', ((u, u) for u in urls)
        )


@admin.register(ProductVersion)
class ProductVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "released_on",
        "end_of_maintenance",
        "end_of_support",
        "lifecycle",
    ]
    list_filter = ["product", "product__commercially_supported"]
    search_fields = ["name", "product__name", "product__code"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    date_hierarchy = "end_of_support"

    @admin.display(description=_("lifecycle"), ordering="end_of_support")
    def lifecycle(self, obj: ProductVersion):
        return lifecycle_badge(obj, timezone.localdate())


class CustomerContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ["number", "tier", "status", "starts_on", "ends_on", "sold_by"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # contracts are created on their own page or by a partner's registration

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tier", "sold_by")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "country",
        "language",
        "contract_count",
        "active_count",
        "user_count",
        "created_at",
    ]
    list_filter = ["country", "language"]
    search_fields = ["name_en", "name_zh"]
    readonly_fields = ["created_at", "users_list"]
    inlines = [CustomerContractInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                contract_count=Count("contracts", distinct=True),
                active_count=Count(
                    "contracts", filter=Q(contracts__status="active"), distinct=True
                ),
                user_count=Count("users", distinct=True),
            )
        )

    @admin.display(description=_("contracts"), ordering="contract_count")
    def contract_count(self, obj):
        return obj.contract_count

    @admin.display(description=_("active"), ordering="active_count")
    def active_count(self, obj):
        return obj.active_count

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, obj):
        return obj.user_count

    @admin.display(description=_("users"))
    def users_list(self, obj: Customer):
        return (
            format_html_join(
                ", ", "{}", ((str(u),) for u in obj.users.order_by("email")) if obj.pk else ()
            )
            or "—"
        )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status_display",
        "authorised_from",
        "authorised_until",
        "authorised_today",
        "contract_count",
        "pending_count",
        "user_count",
    ]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = ["users_list"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                contract_count=Count("contracts", distinct=True),
                pending_count=Count(
                    "registrations", filter=Q(registrations__status="pending"), distinct=True
                ),
                user_count=Count("users", distinct=True),
            )
        )

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: Partner):
        if obj.status == PartnerStatus.ACTIVE:
            return badge(obj.get_status_display(), "green")
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("authorised today"))
    def authorised_today(self, obj: Partner):
        if obj.is_authorised_on(timezone.localdate()):
            return badge(_("yes"), "green")
        return badge(_("lapsed"), "red")

    @admin.display(description=_("contracts sold"), ordering="contract_count")
    def contract_count(self, obj):
        return obj.contract_count

    @admin.display(description=_("registrations to verify"), ordering="pending_count")
    def pending_count(self, obj):
        return badge(obj.pending_count, "amber") if obj.pending_count else 0

    @admin.display(description=_("users"), ordering="user_count")
    def user_count(self, obj):
        return obj.user_count

    @admin.display(description=_("users"))
    def users_list(self, obj: Partner):
        return (
            format_html_join(
                ", ", "{}", ((str(u),) for u in obj.users.order_by("email")) if obj.pk else ()
            )
            or "—"
        )
