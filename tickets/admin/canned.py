"""Canned replies: managers keep them, engineers read them and insert them into a reply from
the ticket page (the placeholders are listed in the text's help)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from core.badges import badge
from tickets.models import CannedReply


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["title", "body"]
    fields = ["title", "body", "active"]

    @admin.display(description=gettext_lazy("active"), ordering="active")
    def is_active(self, obj):
        if obj.active:
            return badge(gettext_lazy("active"), "green")
        return badge(gettext_lazy("inactive"), "grey")
