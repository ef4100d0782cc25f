"""The support desk's admin site: Django's, entered only by support staff with a role and, where
their role asks for it, a second factor verified in this session (docs/spec.md "Roles")."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.roles import is_support_staff, requires_two_factor


def two_factor_verified(user) -> bool:
    """The session's login was confirmed with a one-time code (django-otp's middleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class SupportAdminSite(admin.AdminSite):
    # The product's name in the header and the browser tab, in the user's language.
    site_header = _("Support portal")
    site_title = _("Support desk")
    index_title = _("Support desk")

    def has_permission(self, request):
        user = request.user
        if not is_support_staff(user):
            return False
        return two_factor_verified(user) or not requires_two_factor(user)
