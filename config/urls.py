from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static file (its URL
    read per request, so a hashed static storage works too)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("", include("portal.urls")),
]
