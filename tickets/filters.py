"""The ticket FilterSet shared by the portal, the API and the selectors: it only narrows a
queryset already scoped to the user (tickets.selectors.tickets_for_user)."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from contracts.models import Product
from core.roles import has_staff_permission
from sla.models import Priority
from tickets.models import SlaState, Ticket, TicketStatus
from tickets.selectors import ticket_search


class TicketOrderingFilter(django_filters.OrderingFilter):
    """Ordering where "due" puts tickets without a running clock last in both directions."""

    NULLS_LAST = {"next_due_at"}

    # One label per sort, translated whole: django-filter's "<label> (descending)" glued two
    # translations together (and froze them in the language of the first request).
    SORT_LABELS = {
        "due": _("Nearest due time first"),
        "-due": _("Latest due time first"),
        "opened": _("Oldest first"),
        "-opened": _("Newest first"),
        "updated": _("Least recently updated first"),
        "-updated": _("Recently updated first"),
        "priority": _("Highest priority first"),
        "-priority": _("Lowest priority first"),
        "status": _("By status"),
        "-status": _("By status, reversed"),
    }

    def build_choices(self, fields, labels):
        params = [p for param in fields.values() for p in (param, f"-{param}")]
        return [(p, self.SORT_LABELS.get(p, p)) for p in params]

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"))
            if field is None:
                continue
            if field in self.NULLS_LAST:
                expression = F(field).desc if descending else F(field).asc
                ordering.append(expression(nulls_last=True))
            else:
                ordering.append(f"-{field}" if descending else field)
        return qs.order_by(*ordering, "-pk") if ordering else qs


class TicketFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, label=_("status"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.filter(commercially_supported=True), label=_("product")
    )
    contract = django_filters.CharFilter(
        field_name="contract__number", lookup_expr="iexact", label=_("contract number")
    )
    sla_state = django_filters.MultipleChoiceFilter(choices=SlaState.choices, label=_("SLA"))
    search = django_filters.CharFilter(method="filter_search", label=_("search"))
    ordering = TicketOrderingFilter(
        fields=(
            ("next_due_at", "due"),
            ("opened_at", "opened"),
            ("updated_at", "updated"),
            ("priority", "priority"),
            ("status", "status"),
        ),
        field_labels={
            "next_due_at": _("next due time"),
            "opened_at": _("opened"),
            "updated_at": _("updated"),
            "priority": _("priority"),
            "status": _("status"),
        },
        label=_("order by"),
    )

    class Meta:
        model = Ticket
        fields = ["status", "priority", "product", "contract", "sla_state"]

    def __init__(self, data=None, *args, **kwargs):
        # A submitted filter form sends every field, empty ones as "": they mean "any", not an
        # invalid choice that voids the whole filter set.
        if data is not None and hasattr(data, "lists"):
            data = data.copy()
            for key, values in list(data.lists()):
                kept = [v for v in values if v != ""]
                if kept:
                    data.setlist(key, kept)
                else:
                    del data[key]
        super().__init__(data, *args, **kwargs)
        # No filter joins a multi-valued relation (search reads id sets), so DISTINCT (the
        # default of MultipleChoiceFilter) would only make the count and the page slower.
        for field in self.filters.values():
            if isinstance(field, django_filters.MultipleChoiceFilter):
                field.distinct = False

    def filter_search(self, queryset, name, value):
        """Subject, description, messages, contract number or customer name; "#123" or "123" is
        also a ticket number (tickets.selectors.ticket_search). Internal notes are searched for
        staff only: without a request (the portal's customers), public messages only."""
        user = getattr(self.request, "user", None)
        return ticket_search(
            queryset, value, internal=has_staff_permission(user, "tickets.view_ticket")
        )
