from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.selectors import service_hours_for_user


def support_contact(request):
    """The vendor's support hotline and e-mail, and the user's service hours (each active
    contract's hours in its own zone), shown in every page's footer. The hours are read only
    when a template uses them."""
    user = getattr(request, "user", None)
    return {
        "SUPPORT_HOTLINE": settings.SUPPORT_HOTLINE,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "SERVICE_HOURS": SimpleLazyObject(lambda: service_hours_for_user(user)),
    }
