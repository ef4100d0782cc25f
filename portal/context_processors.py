from django.conf import settings


def support_contact(request):
    """The vendor's support hotline and e-mail, shown in every page's footer."""
    return {"SUPPORT_HOTLINE": settings.SUPPORT_HOTLINE, "SUPPORT_EMAIL": settings.SUPPORT_EMAIL}
