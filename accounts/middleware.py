from django.utils import translation


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
