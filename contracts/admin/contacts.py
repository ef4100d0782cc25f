"""Admin of named support contacts: the inline on a contract's page and the contacts list.
The inline is validated under the contract's row lock with the same checks as contact_add
(the tier's cap, the customer's users only) and saved through the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, SupportContact
from contracts.services import contact_add, contact_check_email, contact_remove, contact_update
from contracts.services.common import ContractError, lock_contract
from contracts.services.contacts import excess_contacts_message

DETAIL_FIELDS = ["phone", "qq", "wechat", "skype"]
ADD_FIELDS = ["email", "first_name", "last_name", *DETAIL_FIELDS]


class ContactInlineForm(forms.ModelForm):
    first_name = forms.CharField(label=_("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("last name"), max_length=150, required=False)

    class Meta:
        model = SupportContact
        fields = ADD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Who the contact is cannot change; remove them and add someone else instead.
            for name in ("email", "first_name", "last_name"):
                self.fields[name].disabled = True
            self.initial["first_name"] = self.instance.user.first_name
            self.initial["last_name"] = self.instance.user.last_name
        else:
            self.fields["email"].required = True


class ContactInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        contract = self.instance
        if any(self.errors) or not contract.tier_id or not contract.customer_id:
            return
        if contract.pk:
            lock_contract(contract)  # held until the admin's transaction commits
        deleted = {f.instance.pk for f in self.deleted_forms if f.instance.pk}
        existing = contract.contacts.select_related("user") if contract.pk else []
        kept = [str(c.user) for c in existing if c.pk not in deleted]
        seen = set()
        for form in self.extra_forms:
            if not form.has_changed() or form in self.deleted_forms:
                continue
            email = form.cleaned_data["email"].strip().lower()
            if email in seen:
                form.add_error("email", _("This e-mail address is listed twice."))
                continue
            seen.add(email)
            try:
                contact_check_email(contract=contract, email=email)
            except ContractError as exc:
                form.add_error("email", exc.message)
            kept.append(email)
        problem = excess_contacts_message(contract, contract.tier, kept)
        if problem:
            raise ValidationError(problem, code="contact_cap")


class SupportContactInline(admin.TabularInline):
    model = SupportContact
    form = ContactInlineForm
    formset = ContactInlineFormSet
    fields = [*ADD_FIELDS, "added_at", "added_by"]
    readonly_fields = ["added_at", "added_by"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "added_by", "contract")

    def get_max_num(self, request, obj=None, **kwargs):
        return obj.tier.max_named_contacts if obj is not None and obj.tier_id else None


@admin.register(SupportContact)
class SupportContactAdmin(admin.ModelAdmin):
    """Named contacts across contracts. Add them on the contract's page (the inline checks the
    tier's cap); here details are edited and contacts removed, through the services."""

    list_display = [
        "user",
        "contract",
        "customer",
        "tier",
        "phone",
        "qq",
        "wechat",
        "skype",
        "added_at",
    ]
    list_filter = ["contract__tier", "contract__status"]
    search_fields = [
        "user__email",
        "user__first_name",
        "user__last_name",
        "contract__number",
        "contract__customer__name_en",
        "contract__customer__name_zh",
        "phone",
        "qq",
        "wechat",
    ]
    list_select_related = ["user", "contract__customer", "contract__tier"]
    fields = ["contract", "user", "email", "phone", "qq", "wechat", "skype", "added_at", "added_by"]
    readonly_fields = ["contract", "user", "email", "added_at", "added_by"]
    date_hierarchy = "added_at"

    @admin.display(description=_("customer"), ordering="contract__customer__name_en")
    def customer(self, obj):
        return obj.contract.customer

    @admin.display(description=_("tier"), ordering="contract__tier__code")
    def tier(self, obj):
        return obj.contract.tier

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        values = {n: form.cleaned_data[n] for n in form.changed_data if n in DETAIL_FIELDS}
        contact_update(contact=obj, by=request.user, now=timezone.now(), **values)

    def delete_model(self, request, obj):
        contact_remove(contact=obj, removed_by=request.user, now=timezone.now())

    def delete_queryset(self, request, queryset):
        now = timezone.now()
        for contact in queryset.select_related("contract", "user"):
            contact_remove(contact=contact, removed_by=request.user, now=now)


def save_contacts_formset(formset, *, contract: Contract, by) -> None:
    """Apply a validated contacts inline: removals first (so a replacement fits the cap),
    then detail changes, then additions. Fills the attributes the admin's change message
    reads. Raises ServiceError."""
    now = timezone.now()
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for f in formset.deleted_forms:
        if f.instance.pk:
            contact_remove(contact=f.instance, removed_by=by, now=now)
            formset.deleted_objects.append(f.instance)
    for f in formset.initial_forms:
        changed = [n for n in f.changed_data if n in DETAIL_FIELDS]
        if f in formset.deleted_forms or not changed:
            continue
        contact_update(
            contact=f.instance, by=by, now=now, **{n: f.cleaned_data[n] for n in changed}
        )
        formset.changed_objects.append((f.instance, changed))
    for f in formset.extra_forms:
        if f in formset.deleted_forms or not f.has_changed():
            continue
        values = {n: f.cleaned_data.get(n) or "" for n in ADD_FIELDS}
        formset.new_objects.append(contact_add(contract=contract, added_by=by, now=now, **values))
