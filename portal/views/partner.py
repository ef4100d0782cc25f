"""The partner area: register resold subscriptions, follow them, see the customers' contracts
and the SLA state of their tickets (read only)."""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.forms import PartnerRegistrationForm
from contracts.selectors import registrations_for_user
from contracts.services import registration_submit
from core.errors import ServiceError
from core.files import private_file_response
from portal.selectors import partner_overview
from portal.views.common import dropped_files, partner_required


@partner_required
def partner_dashboard(request):
    return render(request, "portal/partner_dashboard.html", partner_overview(request.user))


@partner_required
def registration_list(request):
    registrations = registrations_for_user(request.user).order_by("-submitted_at")
    return render(request, "portal/registration_list.html", {"registrations": registrations})


@partner_required
def registration_create(request):
    form = PartnerRegistrationForm(request.POST or None, request.FILES or None, user=request.user)
    # Presentation only: a few products read better as checkboxes than as a multi-select.
    form.fields["products"].widget = forms.CheckboxSelectMultiple(
        choices=form.fields["products"].choices
    )
    form.fields["customer"].empty_label = _("— a new customer —")
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_submit(
                user=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _(
                    "Subscription %(number)s is registered. A support manager verifies the proof; "
                    "you will get an e-mail with the outcome."
                )
                % {"number": registration.contract.number},
            )
            return redirect("portal:registration-detail", pk=registration.pk)
    return render(
        request,
        "portal/registration_form.html",
        {"form": form, "dropped_files": dropped_files(request)},
    )


@partner_required
def registration_detail(request, pk):
    registration = get_object_or_404(
        registrations_for_user(request.user).prefetch_related("contract__products"), pk=pk
    )
    return render(request, "portal/registration_detail.html", {"registration": registration})


@partner_required
def registration_proof(request, pk):
    """The proof document the partner uploaded, downloaded back through the scoped selector."""
    registration = get_object_or_404(registrations_for_user(request.user), pk=pk)
    proof = registration.contract.proof
    name = f"{registration.contract.number}-proof{PurePath(proof.name).suffix}"
    return private_file_response(proof, filename=name)
