"""django.contrib.admin's app config with the project's site (INSTALLED_APPS names it; it
imports no model, as app configs must not)."""

from django.contrib.admin.apps import AdminConfig


class SupportAdminConfig(AdminConfig):
    """django.contrib.admin with core.admin_site.SupportAdminSite as `admin.site`."""

    default_site = "core.admin_site.SupportAdminSite"
