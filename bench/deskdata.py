"""The data the desk, portal and API benches share: a support desk at any size, filled fast
enough for a million tickets.

A few thousand *template* tickets are written through the ORM (every model default applies) with
their children: three SLA clocks, two messages and one history entry each, and an outbox alert
for each flagged clock. The rest are copies written by the database itself, one
INSERT ... SELECT per table (generate_series on PostgreSQL, a recursive CTE on SQLite): ticket
number g (0-based) has the id `first + g` and is a copy of template `g mod T`, moved to the
contract and named contact of its customer and shifted back by 7 minutes per round of copies;
its children are copies of the template's children (ids after the table's highest). Every
column the fill does not vary is copied from the template, so a column added to a model later is
filled as its template's (a column derived from the ones varied here, e.g. a sort key computed
from `sla_state` and `next_due_at`, has to be added to `_ticket_expressions`, unless it is a
GeneratedField, which the database computes, as `sla_rank`).

The bench customer (a 5x8 contract in Asia/Shanghai, the CN calendar) has the first
`customer_tickets` tickets; every other customer has `per_customer`. Staff: the desk user
(superuser and support manager, member of every group) and nine engineers; 30 % of the tickets
are unassigned, 10 % are the desk user's. After the copies, `thread()` gives the busiest ticket
a long thread (messages, attachments, history, a proposal); `extend()` may still add tickets
after it, as long as no ticket was added by other means.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

TEMPLATE_TICKETS = 5000
MINUTES_PER_ROUND = 7
THREAD = 60  # messages on the busiest ticket
DESK_EMAIL = "desk@bench.test"
CUSTOMER_EMAIL = "contact0@bench.test"
WORDS = ["timeout", "cluster", "bridge", "rule engine", "TLS", "memory", "Kafka", "license"]
WORDS_ZH = ["集群", "连接超时", "规则引擎", "内存", "证书", "桥接"]


@dataclass
class Desk:
    """Who and what the timing needs, and where the copies go."""

    staff: object  # the desk user
    customer_user: object  # the bench customer's named contact
    busy: object | None = None  # the ticket with the long thread (after thread())
    tickets: int = 0  # tickets in the database
    capacity: int = 0  # tickets the customers were made for
    customer_tickets: int = 0
    per_customer: int = 1000
    first_ticket: int = 0
    templates: int = 0
    first_contract: int = 0
    first_user: int = 0
    spans: dict = field(default_factory=dict)  # model label -> (first id, count) of templates


# --- people and contracts ----------------------------------------------------------------------


def _contiguous(objects, what: str) -> int:
    first = objects[0].pk
    if [o.pk for o in objects] != list(range(first, first + len(objects))):
        raise RuntimeError(f"the bench needs contiguous ids for its {what}")
    return first


def people(*, capacity: int, customer_tickets: int, per_customer: int = 1000) -> Desk:
    """Staff, the bench customer and enough other customers (one contract and one named contact
    each) for `capacity` tickets."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from contracts.models import Contract, ContractStatus, Customer, Product, SupportContact
    from sla.models import HolidayCalendar, Tier

    user_model = get_user_model()
    today = datetime.now(UTC).date()
    product = Product.objects.get(code="emqx-enterprise")
    tier = Tier.objects.get(code="5x8")
    tiers = list(Tier.objects.order_by("code")) or [tier]
    calendar = HolidayCalendar.objects.get(code="CN")
    others = max(1, math.ceil(max(0, capacity - customer_tickets) / per_customer))
    with transaction.atomic():
        desk = user_model.objects.create_superuser(DESK_EMAIL, None, first_name="Desk")
        desk.set_unusable_password()
        desk.language = "en"
        desk.save()
        desk.groups.set(Group.objects.all())  # engineer/manager groups, where they exist
        for i in range(9):
            engineer = user_model.objects.create_user(
                f"engineer{i}@bench.test", None, is_staff=True, first_name=f"Engineer {i}"
            )
            engineer.groups.set(Group.objects.all())
        customers = Customer.objects.bulk_create(
            [Customer(name_en="Bench Customer Ltd.", name_zh="基准客户")]
            + [Customer(name_en=f"Customer {i} Ltd.", name_zh=f"客户{i}") for i in range(others)]
        )
        contracts = Contract.objects.bulk_create(
            Contract(
                number=f"BENCH-{i:05d}",
                customer=customer,
                tier=tier if i == 0 else tiers[i % len(tiers)],
                licence_type="subscription",
                starts_on=today - timedelta(days=400),
                ends_on=today + timedelta(days=400),
                timezone="Asia/Shanghai",
                calendar=calendar,
                status=ContractStatus.ACTIVE,
            )
            for i, customer in enumerate(customers)
        )
        Contract.products.through.objects.bulk_create(
            Contract.products.through(contract_id=c.pk, product_id=product.pk) for c in contracts
        )
        users = user_model.objects.bulk_create(
            user_model(
                email=f"contact{i}@bench.test",
                password="!",  # unusable; the benches log in with force_login
                customer=customer,
                first_name="Bench",
                last_name=f"User {i}",
                language="en",
            )
            for i, customer in enumerate(customers)
        )
        SupportContact.objects.bulk_create(
            SupportContact(contract=c, user=u, email=u.email)
            for c, u in zip(contracts, users, strict=True)
        )
    return Desk(
        staff=desk,
        customer_user=users[0],
        capacity=customer_tickets + others * per_customer,
        customer_tickets=customer_tickets,
        per_customer=per_customer,
        first_contract=_contiguous(contracts, "contracts"),
        first_user=_contiguous(users, "named contacts"),
    )


def _owner(desk: Desk, g: int) -> int:
    """Index of the customer of ticket number g."""
    if g < desk.customer_tickets:
        return 0
    return 1 + (g - desk.customer_tickets) // desk.per_customer


# --- templates (ORM) ---------------------------------------------------------------------------


def templates(desk: Desk, *, count: int = TEMPLATE_TICKETS, seed: int = 2026) -> None:
    """The template tickets (numbers 0 .. count-1) and their children, through the ORM."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from contracts.models import Contract, Product
    from sla.models import Metric, Priority
    from tickets.models import (
        AlertKind,
        Clock,
        ClockAlert,
        Message,
        SlaState,
        Ticket,
        TicketEvent,
        TicketStatus,
    )
    from tickets.notifications.models import Channel, Event, Notification, Urgency

    count = min(count, desk.capacity)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    user_model = get_user_model()
    product = Product.objects.get(code="emqx-enterprise")
    versions = list(product.versions.all())
    contracts = Contract.objects.in_bulk(
        range(desk.first_contract, desk.first_contract + _owner(desk, count - 1) + 1)
    )
    users = user_model.objects.in_bulk(
        range(desk.first_user, desk.first_user + _owner(desk, count - 1) + 1)
    )
    engineers = list(user_model.objects.filter(email__startswith="engineer").order_by("pk"))
    statuses = [
        (TicketStatus.CLOSED, ""),
        (TicketStatus.RESOLVED, SlaState.MET),
        (TicketStatus.IN_PROGRESS, SlaState.RUNNING),
        (TicketStatus.IN_PROGRESS, SlaState.AT_RISK),
        (TicketStatus.IN_PROGRESS, SlaState.BREACHED),
        (TicketStatus.WAITING, SlaState.PAUSED),
        (TicketStatus.NEW, SlaState.RUNNING),
    ]
    weights = [40, 20, 15, 5, 5, 5, 10]

    def assignee(status):
        if status == TicketStatus.NEW:
            return None
        roll = rng.random()
        if roll < 0.3:
            return None
        if roll < 0.4:
            return desk.staff
        return rng.choice(engineers)

    tickets = []
    for g in range(count):
        k = _owner(desk, g)
        status, sla_state = rng.choices(statuses, weights)[0]
        opened = now - timedelta(minutes=rng.randint(60, 60 * 24 * 365))
        priority = rng.choice(Priority.values)
        if g % 4 == 3:
            subject = f"{rng.choice(WORDS_ZH)}问题 {g}"
            description = f"升级以后{rng.choice(WORDS_ZH)}失败。"
        else:
            subject = f"{rng.choice(WORDS)} problem {g}"
            description = f"Since the upgrade the {rng.choice(WORDS)} fails."
        tickets.append(
            Ticket(
                contract=contracts[desk.first_contract + k],
                product=product,
                version=rng.choice(versions),
                priority=priority,
                original_priority=priority,
                reporter=users[desk.first_user + k],
                assignee=assignee(status),
                unmodified_build=True,
                subject=subject,
                description=description,
                status=status,
                opened_at=opened,
                first_response_at=opened + timedelta(hours=1),
                resolved_at=(
                    opened + timedelta(days=2)
                    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
                    else None
                ),
                closed_at=opened + timedelta(days=9) if status == TicketStatus.CLOSED else None,
                sla_state=sla_state,
                next_due_at=(
                    opened + timedelta(hours=rng.randint(2, 400))
                    if sla_state in (SlaState.RUNNING, SlaState.AT_RISK, SlaState.BREACHED)
                    else None
                ),
            )
        )
    with transaction.atomic():
        tickets = Ticket.objects.bulk_create(tickets)
        clocks = []
        for t in tickets:
            for metric, amount, unit, hours in (
                (Metric.RESPONSE, 2, "hours", 2),
                (Metric.RESTORE, 8, "hours", 26),
                (Metric.FIX, 50, "days", 50 * 24),
            ):
                due = t.opened_at + timedelta(hours=hours)
                clock = Clock(
                    ticket=t,
                    metric=metric,
                    state=SlaState.MET if metric == Metric.RESPONSE else SlaState.RUNNING,
                    started_at=t.opened_at,
                    target_amount=amount,
                    target_unit=unit,
                    due_at=due,
                    at_risk_at=t.opened_at + timedelta(hours=hours * 0.75),
                    met_at=t.first_response_at if metric == Metric.RESPONSE else None,
                )
                if metric == Metric.RESTORE and t.sla_state == SlaState.BREACHED:
                    clock.state, clock.breached_at = SlaState.BREACHED, due
                elif metric == Metric.RESTORE and t.sla_state == SlaState.AT_RISK:
                    clock.at_risk_flagged_at = clock.at_risk_at
                elif metric != Metric.RESPONSE and t.resolved_at:
                    clock.state, clock.met_at = SlaState.MET, t.resolved_at
                clocks.append(clock)
        clocks = Clock.objects.bulk_create(clocks)
        alerts, sends = [], []
        for clock in clocks:
            moment = clock.breached_at or clock.at_risk_flagged_at
            if moment is None:
                continue
            sent = rng.random() < 0.85
            alerts.append(
                ClockAlert(
                    clock=clock,
                    kind=AlertKind.BREACHED if clock.breached_at else AlertKind.AT_RISK,
                    created_at=moment,
                )
            )
            sends.append(sent)
        alerts = ClockAlert.objects.bulk_create(alerts)
        # Each alert's delivery to the desk's engineer waits in the outbox (15 % still unsent).
        deliveries = Notification.objects.bulk_create(
            Notification(
                event=Event.SLA_BREACHED if alert.kind == AlertKind.BREACHED else Event.SLA_AT_RISK,
                key=f"alert:{alert.pk}",
                recipient_key=f"user:{desk.staff.pk}",
                channel=Channel.EMAIL,
                ticket_id=alert.clock.ticket_id,
                alert=alert,
                user=desk.staff,
                address=desk.staff.email,
                staff=True,
                urgency=Urgency.PAGE if alert.kind == AlertKind.BREACHED else Urgency.ALERT,
                created_at=alert.created_at,
                next_attempt_at=alert.created_at
                if sent
                else now + timedelta(minutes=rng.randint(1, 30)),
                attempts=1 if sent else rng.randint(1, 3),
                sent_at=alert.created_at + timedelta(minutes=1) if sent else None,
                last_error="" if sent else "SMTP timeout",
            )
            for alert, sent in zip(alerts, sends, strict=True)
        )
        messages = Message.objects.bulk_create(
            Message(
                ticket=t,
                author=desk.staff if i == 0 else t.reporter,
                body="We are on it." if i == 0 else "Thank you, here are the logs.",
                created_at=t.opened_at + timedelta(minutes=30 * (i + 1)),
            )
            for t in tickets
            for i in range(2)
        )
        events = TicketEvent.objects.bulk_create(
            TicketEvent(ticket=t, actor=t.reporter, at=t.opened_at, field="opened",
                        after=f"{t.priority} portal")
            for t in tickets
        )  # fmt: skip
    desk.first_ticket = _contiguous(tickets, "tickets")
    desk.templates = desk.tickets = len(tickets)
    for model, rows in ((Clock, clocks), (ClockAlert, alerts), (Notification, deliveries),
                        (Message, messages), (TicketEvent, events)):  # fmt: skip
        if rows:
            desk.spans[model._meta.label] = (_contiguous(rows, model._meta.label), len(rows))


# --- copies (SQL) ------------------------------------------------------------------------------


def _series(vendor: str, name: str, start: int, stop: int) -> str:
    """A CTE `name(n)` of the integers start..stop."""
    if vendor == "postgresql":
        return f"{name}(n) AS (SELECT generate_series({start}, {stop}))"
    return f"{name}(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM {name} WHERE n < {stop})"


def _shift(vendor: str, column: str, rounds: str) -> str:
    """`column` moved back by MINUTES_PER_ROUND minutes per round (NULL stays NULL)."""
    minutes = f"(({rounds}) * {MINUTES_PER_ROUND})"
    if vendor == "postgresql":
        return f"({column} - {minutes} * INTERVAL '1 minute')"
    # Django stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC.
    return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '-' || {minutes} || ' minutes')"


def _ticket_expressions(desk: Desk, vendor: str) -> dict[str, str]:
    """The SELECT expression of each ticket column, from template row `t` and number `s.n`."""
    from django.db import models

    from tickets.models import Ticket

    g, rounds = "s.n", f"(s.n / {desk.templates})"

    def owner(first: int) -> str:
        return (
            f"CASE WHEN {g} < {desk.customer_tickets} THEN {first} "
            f"ELSE {first + 1} + ({g} - {desk.customer_tickets}) / {desk.per_customer} END"
        )

    expressions = {}
    for f in Ticket._meta.concrete_fields:
        column = f"t.{f.column}"
        if f.generated:  # computed by the database from the copied columns (sla_rank)
            continue
        if f.primary_key:
            expressions[f.column] = f"{desk.first_ticket} + {g}"
        elif f.name == "contract":
            expressions[f.column] = owner(desk.first_contract)
        elif f.name == "reporter":
            expressions[f.column] = owner(desk.first_user)
        elif f.name == "subject":
            expressions[f.column] = f"t.{f.column} || ' ' || CAST({g} AS TEXT)"
        elif isinstance(f, models.DateTimeField):
            expressions[f.column] = _shift(vendor, column, rounds)
        else:
            expressions[f.column] = column
    return expressions


def _child_expressions(
    desk: Desk, vendor: str, model, *, first_round: int, bases: dict[str, int]
) -> dict[str, str]:
    """The SELECT expression of each column of child row `c` copied in round `r.n`: this call's
    copies of a table take the ids from bases[table] on, round after round."""
    from django.db import models

    from tickets.models import Ticket
    from tickets.notifications.models import Notification

    def new_id(label: str, column: str) -> str:
        first, count = desk.spans[label]
        return f"{bases[label]} + (r.n - {first_round}) * {count} + ({column} - {first})"

    expressions = {}
    for f in model._meta.concrete_fields:
        column = f"c.{f.column}"
        target = f.related_model._meta.label if f.is_relation else None
        if f.primary_key:
            expressions[f.column] = new_id(model._meta.label, column)
        elif f.is_relation and f.related_model is Ticket:
            expressions[f.column] = f"{column} + r.n * {desk.templates}"
        elif target in desk.spans:
            expressions[f.column] = new_id(target, column)
        elif isinstance(f, models.DateTimeField):
            expressions[f.column] = _shift(vendor, column, "r.n")
        elif model is Notification and f.name == "key":  # unique with the recipient: per copy
            expressions[f.column] = f"{column} || ':' || r.n"
        else:
            expressions[f.column] = column
    return expressions


def extend(desk: Desk, tickets: int) -> float:
    """Copies of the templates until the database holds `tickets` tickets; returns seconds.
    Ticket number g gets the id first + g; the children copied by one call take ids after the
    table's highest, so rows written in between (the long thread) are never in the way."""
    import time

    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    from tickets.models import Clock, ClockAlert, Message, Ticket, TicketEvent
    from tickets.notifications.models import Notification

    if tickets > desk.capacity:
        raise ValueError(f"{tickets:,} tickets: the customers were made for {desk.capacity:,}")
    if tickets <= desk.tickets:
        return 0.0
    started = time.perf_counter()
    vendor = connection.vendor
    qn = connection.ops.quote_name
    have, t0, templates_ = desk.tickets, desk.first_ticket, desk.templates
    if Ticket.objects.aggregate(top=Max("pk"))["top"] != t0 + have - 1:
        raise RuntimeError("tickets were added outside deskdata: the copies' ids would collide")
    children = [
        m
        for m in (Clock, ClockAlert, Notification, Message, TicketEvent)
        if m._meta.label in desk.spans
    ]
    bases = {m._meta.label: (m.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for m in children}
    first_round = max(1, have // templates_)
    rounds = _series(vendor, "r", first_round, (tickets - 1) // templates_)

    def insert(model, expressions: dict[str, str], cte: str, body: str) -> None:
        columns = ", ".join(qn(c) for c in expressions)
        select = ", ".join(expressions.values())
        recursive = "RECURSIVE " if vendor != "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {recursive}{cte} INSERT INTO {qn(model._meta.db_table)} ({columns}) "
                f"SELECT {select} {body}"
            )

    with transaction.atomic():
        insert(
            Ticket,
            _ticket_expressions(desk, vendor),
            _series(vendor, "s", have, tickets - 1),
            f"FROM s JOIN {qn(Ticket._meta.db_table)} t ON t.id = {t0} + s.n % {templates_}",
        )
        for model in children:
            first, count = desk.spans[model._meta.label]
            if model is ClockAlert:  # a child of a clock: its ticket is the clock's
                join = f"JOIN {qn(Clock._meta.db_table)} p ON p.id = c.clock_id"
                ticket = "p.ticket_id"
            else:
                join, ticket = "", "c.ticket_id"
            insert(
                model,
                _child_expressions(desk, vendor, model, first_round=first_round, bases=bases),
                rounds,
                f"FROM {qn(model._meta.db_table)} c {join} JOIN r ON 1 = 1 "
                f"WHERE c.id BETWEEN {first} AND {first + count - 1} "
                f"AND ({ticket} - {t0}) + r.n * {templates_} BETWEEN {have} AND {tickets - 1}",
            )
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, *children]):
                    cursor.execute(sql)
    desk.tickets = tickets
    copied = time.perf_counter() - started
    rebuild_sla_figures()
    return copied


def rebuild_sla_figures() -> float:
    """The SLA report reads figures kept as clocks end; rows copied by SQL bypass that, so the
    figures are recounted from the copied history (`manage.py rebuild_sla_figures`). Prints and
    returns the seconds the recount took."""
    import time

    from django.utils import timezone

    from tickets.sla.figures import sla_figures_mark, sla_figures_refresh

    started = time.perf_counter()
    result = sla_figures_refresh(now=timezone.now(), full=True)
    seconds = time.perf_counter() - started
    # What beat does every minute: recount the month that changes touched (here the newest).
    sla_figures_mark([timezone.now()])
    month_started = time.perf_counter()
    sla_figures_refresh(now=timezone.now())
    month = time.perf_counter() - month_started
    print(f"SLA report figures rebuilt from {result.months} months in {seconds:.2f} s; "
          f"one stale month recounted in {month * 1000:.0f} ms")  # fmt: skip
    return seconds


# --- the long thread ---------------------------------------------------------------------------


def thread(desk: Desk, *, messages: int = THREAD) -> None:
    """The bench customer's busiest ticket: a long public thread with attachments, history and a
    proposal for an agreed resolution time."""
    from django.db import transaction

    from tickets.models import Agreement, Attachment, Message, Ticket, TicketEvent, TicketStatus

    now = datetime.now(UTC)
    busy = (
        Ticket.objects.filter(
            contract_id=desk.first_contract, status=TicketStatus.IN_PROGRESS, assignee=desk.staff
        )
        .order_by("pk")
        .first()
    ) or Ticket.objects.filter(contract_id=desk.first_contract).order_by("pk").first()
    customer = desk.customer_user
    with transaction.atomic():
        rows = Message.objects.bulk_create(
            Message(
                ticket=busy,
                author=desk.staff if i % 2 else customer,
                body=f"Message {i}: please find the logs.\n" * 3,
                created_at=busy.opened_at + timedelta(minutes=5 * i),
                public=i % 7 != 0,
            )
            for i in range(messages)
        )
        Attachment.objects.bulk_create(
            Attachment(
                ticket=busy,
                message=m,
                file=f"attachments/bench/{m.pk}.log",
                name=f"emqx-{m.pk}.log",
                size=1024 * (m.pk % 50 + 1),
                content_type="text/plain",
                uploaded_by=m.author,
                uploaded_at=m.created_at,
            )
            for m in rows[::3]
        )
        TicketEvent.objects.bulk_create(
            TicketEvent(ticket=busy, actor=desk.staff, at=busy.opened_at + timedelta(hours=i),
                        field="status", before="new", after="in_progress", reason="Working.")
            for i in range(30)
        )  # fmt: skip
        Agreement.objects.create(
            ticket=busy,
            due_at=now + timedelta(days=30),
            reason="Needs a new release.",
            proposed_by=desk.staff,
            proposed_at=now,
        )
    desk.busy = busy


def fill(*, tickets: int, customer_tickets: int, per_customer: int = 1000) -> tuple[Desk, float]:
    """The whole desk: people, templates, copies up to `tickets`, the long thread. Returns it
    and the seconds the fill took."""
    import time

    started = time.perf_counter()
    desk = people(
        capacity=tickets, customer_tickets=min(customer_tickets, tickets), per_customer=per_customer
    )
    templates(desk, count=min(TEMPLATE_TICKETS, tickets))
    extend(desk, tickets)
    thread(desk)
    return desk, time.perf_counter() - started


def reuse() -> Desk:
    """The desk of a database filled by an earlier run (--keep)."""
    from django.contrib.auth import get_user_model

    from tickets.models import Ticket

    user_model = get_user_model()
    busy = Ticket.objects.filter(messages__body__startswith="Message 1:").first()
    if busy is None:
        raise SystemExit("--keep: the database holds no bench desk; run once without --keep")
    return Desk(
        staff=user_model.objects.get(email=DESK_EMAIL),
        customer_user=user_model.objects.get(email=CUSTOMER_EMAIL),
        busy=busy,
        tickets=Ticket.objects.count(),
    )


def analyze() -> None:
    """Fresh planner statistics and a set visibility map on PostgreSQL: what autovacuum gives a
    real server after a bulk load (this machine's server runs with autovacuum off, and without
    a vacuum no count can be answered from an index alone)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
