"""The rating page behind the signed link of the resolved notification: no login, for the one
ticket and the one user the link was made for, until it expires (tickets.satisfaction)."""

from django.shortcuts import render
from django.utils import timezone

from core.errors import ServiceError
from portal.forms import SatisfactionForm
from portal.selectors import rating_link_target
from tickets.services import satisfaction_rate


def satisfaction_link(request, token):
    target = rating_link_target(token)
    if target is None:
        # Forged, altered, expired, or the ticket or user is gone or no longer the customer's.
        return render(request, "portal/satisfaction_link.html", {"invalid": True}, status=410)
    ticket, user, rating = target
    initial = {"score": rating.score, "comment": rating.comment} if rating else {}
    form = SatisfactionForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            satisfaction_rate(ticket=ticket, user=user, now=timezone.now(), **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            saved = True
    return render(
        request,
        "portal/satisfaction_link.html",
        {"ticket": ticket, "rater": user, "form": form, "saved": saved, "rated_before": rating},
    )
