"""What every API view shares: authentication, the user's language, one JSON error shape and the
schema's error responses.

Every error is `{"detail": <message>, "code": <stable code>}` with a 4xx status; a refused
service adds `field` when it names one (and `extra` when it gives more), a refused input adds
`errors` ({field: [messages]}). A service refusing with code "forbidden" is a 403.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.authentication import ExpiringTokenAuthentication
from core.errors import ServiceError
from core.parsers import PayloadTooLarge
from core.roles import has_staff_permission, is_support_staff

# Token first: an anonymous request then gets 401 with `WWW-Authenticate: Token`, not a 403.
API_AUTHENTICATION = [ExpiringTokenAuthentication, SessionAuthentication]

# Service refusal codes that mean "not allowed" rather than "not valid".
FORBIDDEN_CODES = {"forbidden"}


# --- errors -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer."""

    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `contact_cap`.")
    field = serializers.CharField(
        required=False, help_text="The request field at fault, when the refusal names one."
    )
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Per-field messages of an invalid request.",
    )
    extra = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="More about a refusal, e.g. the community links of a product that has no "
        "commercial support.",
    )


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _first_code(codes) -> str:
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
        return "invalid"
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail
    if isinstance(detail, dict):
        fields = {k: v for k, v in detail.items() if k != "non_field_errors"}
        body = {"detail": _first_message(detail), "code": _first_code(exc.get_codes())}
        if fields:
            body["errors"] = detail
            if len(fields) == 1 and "non_field_errors" not in detail:
                body["field"] = next(iter(fields))
        return body
    return {"detail": _first_message(detail), "code": _first_code(exc.get_codes())}


def exception_handler(exc, context):
    """DRF's handler, extended to services' refusals and Django's own exceptions, with one
    body shape. Anything else is a bug and stays a 500."""
    if isinstance(exc, ServiceError):
        set_rollback()
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        if exc.extra:
            body["extra"] = exc.extra
        if exc.code in FORBIDDEN_CODES:
            return Response(body, status=403)
        return Response(body, status=404 if exc.code == "not_found" else 400)
    if isinstance(exc, RequestDataTooBig | TooManyFilesSent):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(_("The request has too many fields."), code="too_many_fields")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("The request is malformed."), code="malformed")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:.0f}"
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc)
    else:
        body = {"detail": str(exc.detail), "code": _first_code(exc.get_codes())}
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


# --- schema -----------------------------------------------------------------------------------


class ApiAutoSchema(AutoSchema):
    """Adds the 4xx answers a view can give, all with ErrorSerializer, so clients and the
    schemathesis run see every status the API really returns."""

    def _error_codes(self) -> list[int]:
        codes = set()
        public = any(issubclass(cls, permissions.AllowAny) for cls in self.view.permission_classes)
        paginated = self._is_list_view() and self._get_paginator() is not None
        if (
            self.method != "GET"
            or self._get_filter_parameters()
            or any(
                getattr(p, "location", "query") == "query" for p in self.get_override_parameters()
            )
        ):
            codes.add(400)
        if not public:
            codes.update({401, 403})
        if "{" in self.path or paginated:
            codes.add(404)  # another organisation's object, or a page past the end
        if self.view.throttle_classes:
            codes.add(429)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.add(413)  # a body over the upload limit
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            key = str(code)
            if key not in responses:
                responses[key] = self._get_response_for_code(ErrorSerializer, key)
        return responses


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """The token header in the schema: `Authorization: Token <token>`."""

    target_class = "core.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    """A multipart file; documented as binary so clients (and schemathesis) send a file."""


# --- views ------------------------------------------------------------------------------------


class ApiViewMixin:
    """Base of every API view: token or session authentication, the user's language for the
    messages (token requests skip the portal's middleware that does it), the error shape."""

    authentication_classes = API_AUTHENTICATION
    schema = ApiAutoSchema()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()

    def get_exception_handler(self):
        return exception_handler


class IsStaff(permissions.BasePermission):
    """Vendor support staff with a role (engineers and managers); staff without one are refused
    like anyone else."""

    message = _("Only support staff can do this.")

    def has_permission(self, request, view):
        return is_support_staff(request.user)


def staff_permission(permission: str) -> type[permissions.BasePermission]:
    """A DRF permission class: support staff whose role holds `permission` ("app.codename"),
    the same check as the admin's and the services' (core.roles)."""

    class HasStaffPermission(permissions.BasePermission):
        message = _("Only support staff can do this.")

        def has_permission(self, request, view):
            return has_staff_permission(request.user, permission)

    HasStaffPermission.__name__ = f"HasStaffPermission[{permission}]"
    return HasStaffPermission


class IsPartnerUser(permissions.BasePermission):
    """A user of an authorised partner's organisation."""

    message = _("Only the users of a partner can do this.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.partner_id)
