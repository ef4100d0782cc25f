"""The REST API under /api/: version 1 of the endpoints, the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
    _get_sidecar_url,
)
from rest_framework.routers import SimpleRouter

from accounts.api import ObtainTokenView, TokenListView, TokenRevokeView
from contracts.api import ContractViewSet, PartnerSubscriptionViewSet
from sla.api import SlaPreviewView
from tickets.api import TicketViewSet


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files: no CDN needed; its script is a
    separate request (?script), as the Content Security Policy allows no inline script."""

    template_name = "api/swagger_ui.html"

    @staticmethod
    def _swagger_ui_resource(filename):
        return _get_sidecar_url(f"swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return _get_sidecar_url("swagger-ui-dist/favicon-32x32.png")


app_name = "api"

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("contracts", ContractViewSet, basename="contract")
router.register("partner/subscriptions", PartnerSubscriptionViewSet, basename="subscription")

v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("auth/tokens/", TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<str:token_key>/", TokenRevokeView.as_view(), name="token-revoke"),
    path("sla/preview/", SlaPreviewView.as_view(), name="sla-preview"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
]
