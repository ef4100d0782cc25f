"""The API's token endpoint: an e-mail address and a password exchanged for a token,
throttled, with django-axes lock-outs answered as JSON."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api import ApiViewMixin


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.EmailField(help_text="The e-mail address you log in with.")
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed log-in attempts. Please try again later.")
    default_code = "locked_out"


class BadCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Unable to log in with the e-mail address and password given.")
    default_code = "invalid_credentials"


@transaction.atomic
def auth_token_get_or_create(*, user) -> Token:
    """The user's API token, created on first use (one per user, as DRF's authtoken keeps)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


class ObtainTokenView(ApiViewMixin, APIView):
    """DRF's ObtainAuthToken with the e-mail address as user name, throttled, and answering
    django-axes lock-outs as JSON."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        tags=["auth"],
        auth=[],
        summary="Exchange an e-mail address and password for an API token",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The DRF request, not request._request: django-axes marks lock-outs on it, so the
        # lock-out is answered here as JSON instead of by AxesMiddleware's HTML page. The
        # address goes under axes' user-name key (the model's USERNAME_FIELD, "email", unless
        # configured): under another key axes would count failures against no user name.
        # ModelBackend reads either key.
        user = authenticate(
            request=request,
            password=serializer.validated_data["password"],
            **{str(settings.AXES_USERNAME_FORM_FIELD): serializer.validated_data["username"]},
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise BadCredentials()
        token = auth_token_get_or_create(user=user)
        return Response({"token": token.key})
