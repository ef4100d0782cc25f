"""The landing page: the customer dashboard; partners go to their area, staff to the admin."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from core.roles import is_support_staff
from portal.selectors import customer_dashboard, new_ticket_refusals


@login_required
def dashboard(request):
    user = request.user
    if user.customer_id:
        context = {
            "dashboard": customer_dashboard(user),
            "new_ticket_refusals": new_ticket_refusals(user, now=timezone.now()),
        }
        return render(request, "portal/dashboard.html", context)
    if user.partner_id:
        return redirect("portal:partner-dashboard")
    if is_support_staff(user):
        return redirect("admin:index")
    # Logged in, but not (or no longer) linked to an organisation.
    return render(request, "portal/dashboard_no_organisation.html")
