"""Admin of the expiry reminders that went out (written by the daily job only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contracts.models import ContractReminder


@admin.register(ContractReminder)
class ContractReminderAdmin(admin.ModelAdmin):
    """The expiry reminders that went out (written by the daily job only)."""

    list_display = ["contract", "customer", "kind", "sent_at"]
    list_filter = ["kind"]
    search_fields = [
        "contract__number",
        "contract__customer__name_en",
        "contract__customer__name_zh",
    ]
    list_select_related = ["contract__customer"]
    date_hierarchy = "sent_at"

    @admin.display(description=_("customer"), ordering="contract__customer__name_en")
    def customer(self, obj):
        return obj.contract.customer

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
