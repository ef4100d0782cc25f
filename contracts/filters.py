"""FilterSets shared by the portal, the API and the selectors. They only narrow a queryset
that a selector has already scoped to the user."""

import django_filters
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ContractStatus, Partner
from sla.models import Tier


class ContractFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=ContractStatus.choices)
    tier = django_filters.ModelChoiceFilter(
        label=_("tier"), queryset=Tier.objects.all(), to_field_name="code"
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("sold by partner"), field_name="sold_by", queryset=Partner.objects.all()
    )
    direct = django_filters.BooleanFilter(
        label=_("sold directly"), field_name="sold_by", lookup_expr="isnull"
    )
    expiring_before = django_filters.DateFilter(
        label=_("term ends on or before"), field_name="ends_on", lookup_expr="lte"
    )
    number = django_filters.CharFilter(label=_("contract number"), lookup_expr="icontains")

    class Meta:
        model = Contract
        fields = ["status", "tier", "partner", "direct", "expiring_before", "number"]
