"""Log in, log out, password reset and invitation links, and the language switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.services import password_reset_allowed
from accounts.tokens import api_token_revoke, api_tokens_for_user
from accounts.two_factor import (
    confirmed_device,
    device_qr_data_uri,
    device_secret,
    two_factor_confirm,
    two_factor_setup_device,
    two_factor_verify,
)
from core.errors import ServiceError
from core.net import client_ip
from core.roles import is_support_staff
from portal.forms import (
    EmailLoginForm,
    EmailPasswordResetForm,
    LanguageForm,
    TokenRevokeForm,
    TwoFactorForm,
)
from portal.services import user_language_set


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link, at most PASSWORD_RESET_RATE times per address and
    PASSWORD_RESET_CLIENT_RATE per client address; the refusal reads the same whether an
    account exists or not. With the cache unreachable no mail is sent (fails closed)."""

    template_name = "portal/password_reset_form.html"
    form_class = EmailPasswordResetForm
    email_template_name = "portal/emails/password_reset_email.txt"
    subject_template_name = "portal/emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password-reset-sent")

    def form_valid(self, form):
        try:
            password_reset_allowed(email=form.cleaned_data["email"], client=client_ip(self.request))
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_sent.html"


class PasswordSetView(SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    """The link of a password reset and of an invitation as a new named contact."""

    template_name = "portal/password_set.html"
    success_url = reverse_lazy("portal:login")
    success_message = _("Your password is set. You can log in now.")


def _safe_next(request, candidate: str | None) -> str:
    # A path on this site only: "0" or "dashboard" would be taken for a view name by redirect().
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse("portal:dashboard")


@require_POST
def language(request):
    """Switch the interface language: remembered on the account of a logged-in user, and in a
    cookie for everyone (so the login page keeps it too)."""
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        messages.error(request, _("That language is not available."))
        return redirect(next_url)
    code = form.cleaned_data["language"]
    if request.user.is_authenticated:
        try:
            user_language_set(user=request.user, language=code)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(next_url)
    translation.activate(code)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""


@login_required
def two_factor(request):
    """Set up an authenticator app (first login of staff who must use one), or confirm this
    login with its code; then on to `next` (the back office by default)."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.GET.get("next") is None and request.POST.get("next") is None:
        next_url = reverse("admin:index") if is_support_staff(user) else next_url
    device = confirmed_device(user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if device is None:
                two_factor_confirm(request=request, code=form.cleaned_data["code"])
            else:
                two_factor_verify(request=request, code=form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            return redirect(next_url)
    context = {"form": form, "next": next_url, "setup": device is None}
    if device is None:
        pending = two_factor_setup_device(user=user)
        context.update(qr_code=device_qr_data_uri(pending), secret=device_secret(pending))
    return render(request, "portal/two_factor.html", context)


@login_required
def api_tokens(request):
    """The user's API tokens (their first characters, creation and expiry), each revocable."""
    if request.method == "POST":
        form = TokenRevokeForm(request.POST)
        try:
            if not form.is_valid():
                raise ServiceError(_("There is no such token."), code="not_found")
            api_token_revoke(user=request.user, token_key=form.cleaned_data["token_key"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The token is revoked."))
        return redirect("portal:api-tokens")
    tokens = api_tokens_for_user(request.user, now=timezone.now())
    return render(request, "portal/api_tokens.html", {"tokens": tokens})
