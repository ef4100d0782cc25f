from django.utils import translation


class UserLanguageMiddleware:
    """Serve a logged-in user in the language saved on their account (portal and admin alike);
    LocaleMiddleware has already picked one for anonymous visitors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
