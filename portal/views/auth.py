"""Log in, log out, password reset and invitation links, and the language switch."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from portal.forms import EmailLoginForm, EmailPasswordResetForm, LanguageForm
from portal.services import user_language_set


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset_form.html"
    form_class = EmailPasswordResetForm
    email_template_name = "portal/emails/password_reset_email.txt"
    subject_template_name = "portal/emails/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_sent.html"


class PasswordSetView(SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    """The link of a password reset and of an invitation as a new named contact."""

    template_name = "portal/password_set.html"
    success_url = reverse_lazy("portal:login")
    success_message = _("Your password is set. You can log in now.")


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
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
