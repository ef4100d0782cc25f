"""Two-factor authentication (TOTP, django-otp) for support staff (docs/spec.md "Accounts and
access"): a staff member whose role requires it sets up an authenticator app once (a device,
confirmed by its first code), then confirms every login with a code from it."""

import base64
import io
from base64 import b32encode

import django_otp
import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ServiceError

DEVICE_NAME = "authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they set one up."""
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def two_factor_setup_device(*, user) -> TOTPDevice:
    """The device being set up (unconfirmed), created with a new secret on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_secret(device: TOTPDevice) -> str:
    """The secret in the base32 form that authenticator apps accept when typed in."""
    return b32encode(device.bin_key).decode()


def device_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, inline as a data: URI (no script, CSP-safe)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _clean_code(code) -> str:
    code = "".join(str(code or "").split())
    if not code.isdigit() or len(code) != 6:
        raise ServiceError(
            _("Enter the 6-digit code of your app."), code="otp_invalid", field="code"
        )
    return code


@transaction.atomic
def two_factor_confirm(*, request, code) -> TOTPDevice:
    """Confirm the device being set up with its first code, and mark this session verified."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_clean_code(code)):
        raise ServiceError(
            _("That code is not valid. Check the time of your phone and try the next code."),
            code="otp_invalid",
            field="code",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    return device


def two_factor_check(*, user, code) -> TOTPDevice:
    """The user's confirmed device if `code` is its current code (django-otp slows down
    repeated failures), else a refusal."""
    device = confirmed_device(user)
    if device is None:
        raise ServiceError(
            _("Set up two-factor authentication in the portal first."),
            code="otp_setup_required",
        )
    if not device.verify_token(_clean_code(code)):
        raise ServiceError(
            _("That code is not valid. Check the time of your phone and try the next code."),
            code="otp_invalid",
            field="code",
        )
    return device


def two_factor_verify(*, request, code) -> TOTPDevice:
    """Confirm this session's login with a code of the user's device."""
    device = two_factor_check(user=request.user, code=code)
    django_otp.login(request, device)
    return device
