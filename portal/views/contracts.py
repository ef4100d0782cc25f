"""Customer pages about contracts: the list, and the named contacts of one contract."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.forms import SupportContactForm
from contracts.selectors import contacts_for_user
from contracts.services import contact_add, contact_remove, contact_replace
from core.errors import ServiceError
from portal.selectors import contracts_with_contacts
from portal.views.common import customer_required


def _person(user) -> str:
    return user.get_full_name() or user.email


@customer_required
def contract_list(request):
    contracts = contracts_with_contacts(request.user)
    return render(request, "portal/contract_list.html", {"contracts": contracts})


def _replace_form(contact, data=None):
    return SupportContactForm(data, prefix="replace", auto_id=f"id_replace{contact.pk}_%s")


def _render_contacts(request, contract, form, replace_form=None, replacing=None, status=200):
    contacts = list(contract.contacts.all())
    is_contact = any(c.user_id == request.user.pk for c in contacts)
    replace_forms = [
        (c, replace_form if replacing and c.pk == replacing.pk else _replace_form(c))
        for c in contacts
    ]
    return render(
        request,
        "portal/contract_contacts.html",
        {
            "contract": contract,
            "contacts": contacts,
            "cap": contract.tier.max_named_contacts,
            "full": len(contacts) >= contract.tier.max_named_contacts,
            "is_contact": is_contact,
            "form": form,
            "replace_forms": replace_forms,
            "replacing": replacing,
        },
        status=status,
    )


@customer_required
def contract_contacts(request, pk):
    """See the named contacts of a contract; add one within the tier's cap."""
    contract = get_object_or_404(contracts_with_contacts(request.user), pk=pk)
    form = SupportContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_add(
                contract=contract, added_by=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(user)s is now a named contact of %(number)s.")
                % {"user": _person(contact.user), "number": contract.number},
            )
            return redirect("portal:contract-contacts", pk=contract.pk)
    return _render_contacts(request, contract, form)


@customer_required
@require_POST
def contact_remove_view(request, pk, contact_pk):
    contact = get_object_or_404(contacts_for_user(request.user), pk=contact_pk, contract_id=pk)
    try:
        contact_remove(contact=contact, removed_by=request.user, now=timezone.now())
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(user)s is no longer a named contact of %(number)s.")
            % {"user": _person(contact.user), "number": contact.contract.number},
        )
    return redirect("portal:contract-contacts", pk=pk)


@customer_required
@require_POST
def contact_replace_view(request, pk, contact_pk):
    """Hand a contact's slot to someone else in one step (the only way on a full contract)."""
    contact = get_object_or_404(contacts_for_user(request.user), pk=contact_pk, contract_id=pk)
    form = _replace_form(contact, request.POST)
    if form.is_valid():
        try:
            new = contact_replace(
                contact=contact, by=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("%(new)s replaces %(old)s as a named contact of %(number)s.")
                % {
                    "new": _person(new.user),
                    "old": _person(contact.user),
                    "number": contact.contract.number,
                },
            )
            return redirect("portal:contract-contacts", pk=pk)
    contract = get_object_or_404(contracts_with_contacts(request.user), pk=pk)
    return _render_contacts(
        request, contract, SupportContactForm(), replace_form=form, replacing=contact
    )
