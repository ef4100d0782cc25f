from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.roles import requires_two_factor


class UserLanguageMiddleware:
    """Serve a logged-in user in the language saved on their account (portal and admin alike);
    LocaleMiddleware has already picked one for anonymous visitors. The language lasts for the
    request: the one active before is active again after the response, also when a layer
    inside (the API for token users, the language switch) activated another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = translation.get_language()
        if user is not None and user.is_authenticated and user.language:
            language = user.language
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            # LocaleMiddleware sets the header from the active language, which by then is its
            # own again; say here which one the response was made in.
            response.headers.setdefault("Content-Language", translation.get_language())
        return response


# What a staff member who still owes the second factor may reach: the two-factor page itself,
# logging out, the language switch and static files.
TWO_FACTOR_OPEN_PATHS = ("/two-factor/", "/logout/", "/language/", "/i18n/", "/static/")


class TwoFactorMiddleware:
    """A session whose user must use two-factor authentication (core.roles.requires_two_factor)
    and has not confirmed this login with a code reaches nothing but the two-factor page: the
    admin, the portal and the API (session) alike. API tokens are only issued with a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_OPEN_PATHS)
            and requires_two_factor(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                if request.META.get("HTTP_AUTHORIZATION"):
                    return self.get_response(request)  # a token: the session plays no part
                return JsonResponse(
                    {
                        "detail": _("Confirm your login with two-factor authentication first."),
                        "code": "otp_required",
                    },
                    status=403,
                )
            url = reverse("portal:two-factor")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
