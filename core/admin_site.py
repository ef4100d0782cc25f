"""The support desk's admin site: Django's, entered only by support staff with a role and, where
their role asks for it, a second factor verified in this session (docs/spec.md "Roles")."""

from django.contrib import admin
from django.utils.functional import SimpleLazyObject
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

    def each_context(self, request):
        """AdminSite.each_context, with the sidebar's list of every model ("available_apps")
        built when a template reads it: the desk's lists and the ticket page leave the sidebar
        out, and building the list (permissions, two URLs and a translated name per model)
        cost each of them a few milliseconds."""
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(lambda: self.get_app_list(request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }

    def get_app_list(self, request, app_label=None):
        """Django's list, worked out once per request: Django asks twice per index page (the
        sidebar's `available_apps` and the index itself), the user and their permissions stay
        the same within a request. The app and model names are translated once each: as lazy
        strings they were translated again at every comparison of the sort and every use in
        the templates."""
        answers = request.__dict__.setdefault("_support_app_lists", {})
        if app_label not in answers:
            apps = self._build_app_dict(request, app_label)
            for app in apps.values():
                app["name"] = str(app["name"])
                for model in app["models"]:
                    model["name"] = str(model["name"])
            app_list = sorted(apps.values(), key=lambda app: app["name"].lower())
            for app in app_list:
                app["models"].sort(key=lambda model: model["name"])
            answers[app_label] = app_list
        return answers[app_label]
