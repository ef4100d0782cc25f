"""Reads behind the portal pages. Each starts from an app selector that scopes to the user
(contracts_for_user, tickets_for_user, ...) and only narrows, joins and counts from there, so a
page costs the same few queries whatever the amount of data."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.names import shown_name
from contracts.models import Contract, ContractStatus, Product, ProductVersion, SupportContact
from contracts.selectors import contracts_for_user
from contracts.services import Entitlement, entitlement_check
from core.pagination import CountedIdsPaginator
from core.timefmt import local_time
from portal.templatetags.portal_tags import (
    attachment_url,
    counts_business_time,
    event_value,
    field_label,
    filesize,
    hours_in_zone,
    target_in_words,
)
from sla.models import Metric, Target
from tickets.filters import TicketFilterSet
from tickets.models import (
    OPEN_STATUSES,
    Agreement,
    AgreementStatus,
    Clock,
    MessageKind,
    RemoteSession,
    Satisfaction,
    SlaState,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tickets.satisfaction import rating_token_read
from tickets.selectors import (
    attachments_for_user,
    messages_for_user,
    ticket_get_for_user,
    tickets_for_user,
)
from tickets.services.satisfaction import can_rate
from tickets.sla.summary import clock_summary


@dataclass(frozen=True)
class ServiceHours:
    number: str
    hours: str


def service_hours_for_user(user) -> list[ServiceHours]:
    """The footer line of a customer user: each active contract's hours in its own zone."""
    if user is None or not user.is_authenticated or not user.customer_id:
        return []
    rows = (
        contracts_for_user(user)
        .filter(status=ContractStatus.ACTIVE)
        .order_by("number")
        .values_list("number", "agreed_hours", "tier__hours", "timezone")
    )
    return [
        ServiceHours(number, hours_in_zone(agreed or tier_hours, zone))
        for number, agreed, tier_hours, zone in rows
    ]


def contracts_with_contacts(user) -> QuerySet[Contract]:
    """The user's contracts with products and named contacts loaded (three queries in all)."""
    return (
        contracts_for_user(user)
        .prefetch_related(
            "products",
            Prefetch("contacts", queryset=SupportContact.objects.select_related("user")),
        )
        .order_by("status", "number")
    )


def _open_ticket_counts() -> dict:
    open_q = Q(tickets__status__in=OPEN_STATUSES)
    return {
        "open_tickets": Count("tickets", filter=open_q),
        "breached_tickets": Count("tickets", filter=open_q & Q(tickets__sla_state="breached")),
        "at_risk_tickets": Count("tickets", filter=open_q & Q(tickets__sla_state="at_risk")),
    }


def partner_overview(user) -> dict:
    """The partner's customers, each with the contracts the partner sold and the SLA state of
    their open tickets (counts), in two queries."""
    contracts = list(
        contracts_for_user(user)
        .annotate(**_open_ticket_counts())
        .prefetch_related("products")
        .order_by("customer__name_en", "number")
    )
    customers: dict[int, dict] = {}
    for contract in contracts:
        entry = customers.setdefault(
            contract.customer_id, {"customer": contract.customer, "contracts": []}
        )
        entry["contracts"].append(contract)
    return {
        "customers": list(customers.values()),
        "totals": {
            "contracts": len(contracts),
            "active": sum(c.status == ContractStatus.ACTIVE for c in contracts),
            "open_tickets": sum(c.open_tickets for c in contracts),
            "breached_tickets": sum(c.breached_tickets for c in contracts),
            "at_risk_tickets": sum(c.at_risk_tickets for c in contracts),
        },
    }


@dataclass(frozen=True)
class TicketFormChoices:
    """What the new-ticket form offers a user, and why it would refuse before they submit."""

    contracts: QuerySet[Contract]
    versions: QuerySet[ProductVersion]
    contracts_of_product: dict[int, list[int]]
    open_contract_ids: list[int]
    refusals: list[tuple[Contract, Entitlement]]
    community_products: list[Product]
    today: date
    always_open_ids: list[int]  # contracts whose tickets need an on-duty contact (7x24)
    targets: dict[int, dict[str, str]]  # tier id -> priority -> "response 2 hours · ..."


def ticket_form_choices(user, *, now: datetime, answers: bool = True) -> TicketFormChoices:
    """The user's contracts, the versions of the products they cover, and, per contract, the
    entitlement service's answer before any product is chosen (pending, expired, not a named
    contact ...). `answers=False` (a form post, which ticket_open checks itself) leaves out the
    answers and the targets, which only the page shows."""
    contracts = _ticket_contracts(user)
    contract_list = list(contracts.prefetch_related("products"))
    contracts_of_product: dict[int, list[int]] = {}
    for contract in contract_list:
        for product in contract.products.all():
            contracts_of_product.setdefault(product.pk, []).append(contract.pk)
    open_ids, refusals = (
        _contract_answers(user, contract_list, now=now)
        if answers
        else ([c.pk for c in contract_list if c.products.all()], [])
    )
    versions = (
        ProductVersion.objects.filter(product_id__in=list(contracts_of_product))
        .select_related("product")
        .order_by("product__name", "-released_on", "-name")
    )
    return TicketFormChoices(
        contracts=contracts,
        versions=versions,
        contracts_of_product=contracts_of_product,
        open_contract_ids=open_ids,
        refusals=refusals,
        community_products=list(community_products()),
        today=now.date(),
        always_open_ids=[c.pk for c in contract_list if c.tier.always_open],
        targets=_targets_in_words(contract_list) if answers else {},
    )


def _ticket_contracts(user) -> QuerySet[Contract]:
    return contracts_for_user(user).exclude(status=ContractStatus.REJECTED).order_by("number")


def _contract_answers(
    user, contract_list: list[Contract], *, now: datetime
) -> tuple[list[int], list[tuple[Contract, Entitlement]]]:
    """The entitlement service's contract-level answer for each contract (asked for a product
    it covers, commercial ones first): the ids that let the user open a ticket, and the
    refusals of the others."""
    open_ids, refusals = [], []
    for contract in contract_list:
        products = list(contract.products.all())
        if not products:
            continue
        product = sorted(products, key=lambda p: not p.commercially_supported)[0]
        answer = entitlement_check(
            user=user, contract=contract, product=product, version=None, now=now
        )
        if answer.allowed:
            open_ids.append(contract.pk)
        else:
            refusals.append((contract, answer))
    return open_ids, refusals


def new_ticket_refusals(user, *, now: datetime) -> list[tuple[Contract, Entitlement]] | None:
    """Why "+ New ticket" would be refused: None when some contract lets the user open a
    ticket, else each contract's refusal (an empty list: no contract at all)."""
    contract_list = list(_ticket_contracts(user).prefetch_related("products"))
    open_ids, refusals = _contract_answers(user, contract_list, now=now)
    return None if open_ids else refusals


def _targets_in_words(contracts: list[Contract]) -> dict[int, dict[str, str]]:
    """The SLA targets of the contracts' tiers as short text per priority, for the priority
    guide, in the contract's terms (business hours and working days, or around the clock)."""
    business = {c.tier_id: counts_business_time(c) for c in contracts}
    table: dict[int, dict[str, list[str]]] = {}
    targets = Target.objects.filter(tier_id__in=list(business), amount__isnull=False)
    for target in sorted(targets, key=lambda t: (t.priority, METRIC_ORDER[t.metric])):
        amount = target_in_words(target.amount, target.unit, business=business[target.tier_id])
        table.setdefault(target.tier_id, {}).setdefault(target.priority, []).append(
            f"{Metric(target.metric).label} {amount}"
        )
    return {
        tier: {p: " · ".join(parts) for p, parts in rows.items()} for tier, rows in table.items()
    }


def products_of_user(user) -> QuerySet[Product]:
    """The commercially supported products on the contracts the user may see."""
    return (
        Product.objects.filter(
            commercially_supported=True, contracts__in=contracts_for_user(user).values("pk")
        )
        .distinct()
        .order_by("name")
    )


def community_products() -> QuerySet[Product]:
    """Products with community support only (public reference data, with their links)."""
    return Product.objects.filter(commercially_supported=False).order_by("name")


# --- Tickets ----------------------------------------------------------------------------------


def _by_due():
    return (F("next_due_at").asc(nulls_last=True), "-pk")


# What a row of a ticket list shows; loading only this keeps 25 rows cheap to build.
ROW_RELATED = ("contract__customer", "product", "version")
ROW_FIELDS = (
    "subject",
    "priority",
    "status",
    "sla_state",
    "next_due_at",
    "opened_at",
    "contract__number",
    "contract__timezone",
    "contract__customer__name_en",
    "contract__customer__name_zh",
    "product__name",
    "version__name",
)


def _rows(user, pks: list[int]) -> list[Ticket]:
    """The tickets with these ids, in this order, with what list rows show (one query, after
    the user's contract ids).

    Lists pick a page of ids first and load the rows second: sorting thousands of bare ids is
    cheap, joining every candidate row to contract, product, version and reporter before the
    sort is not. The scope is given here as a plain list of the user's contract ids (a user
    has few): PostgreSQL then loads the rows by their ids. With the contracts as a join it
    underestimates a big contract and scans all its tickets for the page's (1.7 ms instead of
    0.2 at 10,000 of 100,000 tickets)."""
    if not pks:
        return []
    contract_ids = list(contracts_for_user(user).order_by().values_list("pk", flat=True))
    rows = (
        tickets_for_user(user)
        .filter(contract_id__in=contract_ids)
        .select_related(None)
        .select_related(*ROW_RELATED)
        .only(*ROW_FIELDS)
        .in_bulk(pks)
    )
    return [rows[pk] for pk in pks if pk in rows]


def _tickets(user) -> QuerySet[Ticket]:
    """tickets_for_user, narrowed again to the ids of the user's contracts: the same scope, but
    spelled so that SQLite's planner uses the (contract, status) index instead of scanning a
    status index across every customer's tickets. A subquery, not a list: PostgreSQL then
    keeps one plan for every customer (with a list it walks the due-time index for a big one,
    which is quick for the whole list and slow for a filter that few of its tickets pass)."""
    return tickets_for_user(user).filter(contract__in=contracts_for_user(user).values("pk"))


# The ticket filters never join a multi-valued relation, so DISTINCT (the default of
# MultipleChoiceFilter) only makes the count and the page slower.
_NO_DISTINCT = ("status", "priority", "sla_state")


def ticket_list(user, params, *, page: str | int | None = None, per_page: int = 25):
    """A page of the user's tickets narrowed by the shared FilterSet (status, priority,
    product, SLA state, search, ordering); nearest due time first unless another order is
    asked for. Returns the FilterSet and a Page whose object_list are the tickets."""
    filterset = TicketFilterSet(params, queryset=_tickets(user))
    for name in _NO_DISTINCT:
        filterset.filters[name].distinct = False
    # Only the products of the user's own contracts are worth offering.
    filterset.filters["product"].queryset = products_of_user(user)
    valid = filterset.is_valid()
    tickets = filterset.qs if valid else filterset.queryset.none()
    if not params.get("ordering"):
        tickets = tickets.order_by(*_by_due())
    if valid and (filterset.form.cleaned_data.get("search") or "").strip():
        # A search tests every ticket of the user: counting in the page's own query tests
        # each once. Without one, the count reads an index alone and the page stops early.
        page_obj = CountedIdsPaginator(tickets, per_page).get_page(page)
    else:
        page_obj = Paginator(tickets.values_list("pk", flat=True), per_page).get_page(page)
    page_obj.object_list = _rows(user, page_obj.object_list)
    return filterset, page_obj


@dataclass(frozen=True)
class CustomerDashboard:
    contracts: list[Contract]
    counts: dict
    open_tickets: list[Ticket]
    waiting_tickets: list[Ticket]
    proposals: list[Agreement]


DASHBOARD_ROWS = 10


def customer_dashboard(user) -> CustomerDashboard:
    """Contracts, open tickets by nearest due time, and what waits for the customer: tickets
    in status waiting and proposed resolution times. Nine queries, whatever the volume."""
    tickets = _tickets(user)
    open_tickets = tickets.filter(status__in=OPEN_STATUSES)
    counts = open_tickets.aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=Q(sla_state=SlaState.BREACHED)),
        at_risk=Count("pk", filter=Q(sla_state=SlaState.AT_RISK)),
        waiting=Count("pk", filter=Q(status=TicketStatus.WAITING)),
    )
    # Few proposals are open at a time: check each against the scope rather than listing the
    # scope's thousands of ticket ids.
    proposals = (
        Agreement.objects.filter(status=AgreementStatus.PROPOSED)
        .filter(Exists(tickets.filter(pk=OuterRef("ticket_id"))))
        .select_related("ticket__contract")
        .order_by("proposed_at")[:DASHBOARD_ROWS]
    )
    proposals = list(proposals)
    open_ids = list(open_tickets.order_by(*_by_due()).values_list("pk", flat=True)[:DASHBOARD_ROWS])
    waiting_ids = list(
        tickets.filter(status=TicketStatus.WAITING)
        .order_by(*_by_due())
        .values_list("pk", flat=True)[:DASHBOARD_ROWS]
    )
    rows = {ticket.pk: ticket for ticket in _rows(user, open_ids + waiting_ids)}  # one read
    counts["waiting_for_you"] = counts["waiting"] + len(proposals)
    return CustomerDashboard(
        contracts=list(contracts_with_contacts(user)),
        counts=counts,
        open_tickets=[rows[pk] for pk in open_ids if pk in rows],
        waiting_tickets=[rows[pk] for pk in waiting_ids if pk in rows],
        proposals=proposals,
    )


METRIC_ORDER = {Metric.RESPONSE: 0, Metric.RESTORE: 1, Metric.FIX: 2}


@dataclass(frozen=True)
class ClockView:
    clock: Clock
    state: str  # the clock's state, or at_risk / breached as the ticket summary reads it
    target: str


@dataclass(frozen=True)
class TicketPage:
    ticket: Ticket
    # The public thread as the page shows it, ready to print (thread_rows): a long thread is
    # most of the page, so nothing is left to work out per message in the template.
    messages: list[dict]
    opening_attachments: list[dict]
    clocks: list[ClockView]
    events: list[dict]  # history_rows
    agreements: list[Agreement]
    proposal: Agreement | None
    sessions: list[RemoteSession]
    rating: Satisfaction | None  # the user's own rating, once the ticket is resolved


def ticket_page(user, pk: int, *, now: datetime) -> TicketPage:
    """One ticket the user may see with what its page shows to the customer: the public thread
    and attachments, the clocks, the public history, agreements and remote sessions. Seven
    queries, whatever the length of the thread."""
    ticket = ticket_get_for_user(user, pk)
    messages, opening_attachments = thread_rows(user, ticket)
    clocks = sorted(ticket.clocks.all(), key=lambda c: METRIC_ORDER.get(c.metric, 9))
    agreements = list(ticket.agreements.all())
    return TicketPage(
        ticket=ticket,
        messages=messages,
        opening_attachments=opening_attachments,
        clocks=[
            ClockView(
                clock=c,
                state=clock_summary(c, now),
                target=_target_text(c, business=counts_business_time(ticket.contract)),
            )
            for c in clocks
        ],
        events=history_rows(ticket),
        agreements=agreements,
        proposal=next((a for a in agreements if a.status == AgreementStatus.PROPOSED), None),
        sessions=list(ticket.remote_sessions.all()),
        rating=rating_of(user, ticket),
    )


def history_rows(ticket: Ticket) -> list[dict]:
    """The public history of `ticket`, oldest first, in one query: plain rows with what the page
    prints of an entry, in the active language: `when` (in the contract's zone), `actor` (full
    name, else e-mail; None for the system), `label` (what changed), `changed_from` (whether
    there was a value before), `before` and `after` (as people read them), `reason`."""
    zone = ticket.contract.timezone
    rows = ticket.events.filter(public=True).values_list(
        "at",
        "field",
        "before",
        "after",
        "reason",
        "reason_code",
        "reason_params",
        "actor_id",
        *_person_fields("actor"),
    )
    return [
        {
            "when": local_time(at, zone),
            "actor": None if actor_id is None else shown_name(first_name, last_name, email),
            "label": field_label(field),
            "changed_from": bool(before),
            "before": event_value(before, field) if before else "",
            "after": event_value(after, field),
            "reason": (
                TicketEvent(reason=reason, reason_code=code, reason_params=params).reason_text
                if reason
                else ""
            ),
        }
        for (
            at, field, before, after, reason, code, params, actor_id,
            first_name, last_name, email, _staff,
        ) in rows
    ]  # fmt: skip


def thread_rows(user, ticket: Ticket) -> tuple[list[dict], list[dict]]:
    """The messages of `ticket` that `user` sees, oldest first, and the files attached to the
    ticket itself; two queries (the thread, every file the user may download of the ticket).
    Plain rows with what the page prints: a message's `anchor`, `author` (full name, else e-mail),
    `staff`, `when` (in the contract's zone), `call` (a logged call), `body` and `attachments`;
    a file's `url`, `name` and `size` (in words)."""
    zone = ticket.contract.timezone
    files: dict[int | None, list[dict]] = {}
    for pk, message_id, name, size in (
        attachments_for_user(user, ticket=ticket)
        .order_by("uploaded_at", "pk")
        .values_list("pk", "message_id", "name", "size")
    ):
        files.setdefault(message_id, []).append(
            {"url": attachment_url(pk), "name": name, "size": filesize(size)}
        )
    rows = (
        messages_for_user(user, ticket)
        .order_by("created_at", "pk")
        .values_list("pk", "kind", "body", "created_at", *_person_fields("author"))
    )
    messages = [
        {
            "anchor": f"message-{pk}",  # not an int: the template would localise it
            "author": shown_name(first_name, last_name, email),
            "staff": is_staff,
            "when": local_time(created_at, zone),
            "call": kind == MessageKind.CALL,
            "body": body,
            "attachments": files.get(pk, ()),
        }
        for pk, kind, body, created_at, first_name, last_name, email, is_staff in rows
    ]
    return messages, files.get(None, [])


def rating_of(user, ticket: Ticket) -> Satisfaction | None:
    """The user's rating of the ticket (no query before the ticket is resolved)."""
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return None
    return Satisfaction.objects.filter(ticket=ticket, user=user).first()


def _person_fields(relation: str) -> tuple[str, ...]:
    """The user columns a page shows of a person: name, e-mail, staff or not."""
    return tuple(f"{relation}__{f}" for f in ("first_name", "last_name", "email", "is_staff"))


def _target_text(clock: Clock, *, business: bool) -> str:
    if clock.target_amount is None:
        return ""
    return target_in_words(clock.target_amount, clock.target_unit, business=business)


def agreement_for_user(user, *, ticket_pk: int, pk: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.filter(ticket__in=tickets_for_user(user).values("pk")),
        pk=pk,
        ticket_id=ticket_pk,
    )


def rating_link_target(token: str) -> tuple[Ticket, object, Satisfaction | None] | None:
    """The ticket, the user and their current rating a signed rating link stands for; None when
    the link is not valid (or no longer is: expired, or the user may not rate the ticket)."""
    found = rating_token_read(token)
    if found is None:
        return None
    user = get_user_model().objects.filter(pk=found.user_id, is_active=True).first()
    ticket = Ticket.objects.select_related("contract__customer").filter(pk=found.ticket_id).first()
    if user is None or ticket is None or not can_rate(user, ticket):
        return None
    return ticket, user, Satisfaction.objects.filter(ticket=ticket, user=user).first()
