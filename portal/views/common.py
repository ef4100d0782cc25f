"""Small helpers shared by the portal views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def customer_required(view):
    """A page of the customer area: logged in, and a user of a customer organisation. Anyone
    else gets 404, as for any object they may not see."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.customer_id:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def partner_required(view):
    """A page of the partner area: logged in, and a user of a partner."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.partner_id:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def dropped_files(request) -> list[str]:
    """The names of the files a POST carried. A form that comes back with an error cannot keep
    them (a browser never refills a file input), so the page names them and asks for them
    again."""
    if request.method != "POST":
        return []
    return [f.name for name in request.FILES for f in request.FILES.getlist(name)]
