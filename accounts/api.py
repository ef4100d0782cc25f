"""The API's tokens: an e-mail address and a password (and, for staff who must use it, a
two-factor code) exchanged for a new token that expires; the owner lists and revokes theirs.
Lock-outs (django-axes) are answered as JSON."""

import logging

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.tokens import api_token_create, api_token_revoke, api_tokens_for_user
from accounts.two_factor import two_factor_check
from core.api import ApiViewMixin
from core.errors import ServiceError
from core.roles import requires_two_factor

logger = logging.getLogger(__name__)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.EmailField(
        max_length=254, help_text="The e-mail address you log in with."
    )
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="The 6-digit code of your authenticator app (support staff only).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token …`.")
    token_key = serializers.CharField(read_only=True, help_text="Names the token to revoke it.")
    expiry = serializers.DateTimeField(read_only=True)


class TokenInfoSerializer(serializers.Serializer):
    token_key = serializers.CharField(read_only=True, help_text="The token's first characters.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True)


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed log-in attempts. Please try again later.")
    default_code = "locked_out"


class BadCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("Unable to log in with the e-mail address and password given.")
    default_code = "invalid_credentials"


class CacheSafeScopedRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle that fails open when the cache is unreachable (any error of the
    cache backend): the rate limit is skipped and logged, while django-axes, which counts in
    the database, still locks out password guessing (docs/spec.md "Accounts and access")."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as exc:
            logger.error("Rate limit skipped, the cache is unreachable: %r", exc)
            return True


class ObtainTokenView(ApiViewMixin, APIView):
    """A new token for each login (never the same twice), throttled, answering django-axes
    lock-outs as JSON; staff who must use two-factor authentication add `otp_token`."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [CacheSafeScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        tags=["auth"],
        auth=[],
        summary="Exchange an e-mail address and password for a new API token",
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
        if requires_two_factor(user):
            code = serializer.validated_data.get("otp_token", "")
            if not code:
                raise ServiceError(
                    _("Add the code of your authenticator app as otp_token."),
                    code="otp_required",
                    field="otp_token",
                )
            try:
                two_factor_check(user=user, code=code)
            except ServiceError as exc:
                exc.field = "otp_token"
                raise
        instance, token = api_token_create(user=user, now=timezone.now())
        return Response(
            {"token": token, "token_key": instance.token_key, "expiry": instance.expiry}
        )


class TokenListView(ApiViewMixin, APIView):
    """The caller's valid tokens (never the tokens themselves: only their first characters)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_list",
        responses={200: TokenInfoSerializer(many=True)},
        tags=["auth"],
        summary="List your API tokens",
    )
    def get(self, request):
        tokens = api_tokens_for_user(request.user, now=timezone.now())
        return Response(TokenInfoSerializer(tokens, many=True).data)


class TokenRevokeView(ApiViewMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_destroy",
        parameters=[OpenApiParameter("token_key", str, OpenApiParameter.PATH)],
        responses={204: None},
        tags=["auth"],
        summary="Revoke one of your API tokens",
    )
    def delete(self, request, token_key: str):
        api_token_revoke(user=request.user, token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
