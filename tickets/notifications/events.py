"""Writing the outbox: `notify` is what a ticket service calls, inside its transaction, once the
change is made; `alert_deliveries_record` is what the SLA sweep calls, set-wise, for the alerts
it has just written; `answer_mail` answers an e-mail the channel refused.

Rules (docs/spec.md "Who is told what"): each recipient once per event, in their own language,
never the person who acted (the acknowledgement of one's own new ticket excepted); customers'
levels and staff levels apply, except to acknowledgements, pages and SLA alerts. Only text that
the customer reads is ever passed in (public messages, the reasons and notes of the services),
never an internal note."""

from datetime import datetime

from django.conf import settings
from django.db import connection

from core.roles import is_support_staff
from core.sql import in_ids
from sla.models import Priority
from tickets.models import AlertKind, Clock, ClockAlert, Ticket
from tickets.notifications import recipients
from tickets.notifications.models import (
    Channel,
    ChatWebhook,
    Event,
    InboundEmail,
    Notification,
    Urgency,
)
from tickets.notifications.recipients import Person
from tickets.notifications.slots import drain_after_commit

PAGED_PRIORITIES = (Priority.P1, Priority.P2)

# Events that tell the customers only, whoever acted.
TO_CUSTOMERS = {
    Event.STAFF_REPLY,
    Event.CALL_LOGGED,
    Event.WAITING,
    Event.RESTORED,
    Event.RESOLVED,
    Event.DOWNGRADED,
    Event.UNSUPPORTED,
    Event.AGREEMENT_PROPOSED,
    Event.AGREEMENT_WITHDRAWN,
    Event.SESSION_RECORDED,
}
# Events that tell the customers, and support too when a customer acted.
TO_BOTH_WHEN_CUSTOMER_ACTS = {
    Event.AGREEMENT_ACCEPTED,
    Event.AGREEMENT_DECLINED,
    Event.SESSION_REQUESTED,
    Event.SESSION_CANCELLED,
    Event.CLOSED,
    Event.REOPENED,
}


def _row(event, key, person: Person, *, ticket, urgency, params, now) -> Notification:
    return Notification(
        event=event,
        key=key,
        recipient_key=person.key,
        channel=Channel.EMAIL,
        ticket=ticket,
        user=person.user,
        address=person.address,
        language=person.user.language or settings.LANGUAGE_CODE,
        staff=person.staff,
        urgency=urgency,
        params=params,
        created_at=now,
        next_attempt_at=now,
    )


def _webhook_row(event, key, chat: ChatWebhook, *, ticket, urgency, params, now):
    return Notification(
        event=event,
        key=key,
        recipient_key=f"webhook:{chat.pk}",
        channel=Channel.WEBHOOK,
        ticket=ticket,
        webhook=chat,
        language=chat.language,
        staff=True,
        urgency=urgency,
        params=params,
        created_at=now,
        next_attempt_at=now,
    )


def _write(rows: list[Notification]) -> int:
    """Insert once per (event, recipient): the first row of a recipient wins (pages are listed
    first), and the unique constraint holds against a second call for the same event."""
    unique = {}
    for row in rows:
        unique.setdefault((row.key, row.recipient_key), row)
    if unique:
        Notification.objects.bulk_create(unique.values(), ignore_conflicts=True)
        drain_after_commit(len(unique))
    return len(unique)


def notify(
    event: str,
    *,
    ticket: Ticket,
    by,
    now: datetime,
    text: str = "",
    ref: str | int = "",
    params: dict | None = None,
) -> int:
    """Write the deliveries of a ticket event (see the module's docstring); `text` is what the
    customers read of it (a public reply, a reason), `ref` names the object that made the event
    (a message, a proposal) so that the same event is never written twice. Returns the rows."""
    actor_id = by.pk if by is not None and getattr(by, "is_authenticated", False) else None
    actor_is_staff = is_support_staff(by)
    key = f"{event}:{ticket.pk}:{ref or now.strftime('%Y%m%dT%H%M%S.%f')}"
    details = dict(params or {})
    if actor_id is not None:
        details.setdefault("actor", by.get_full_name() or by.email)
    if text:
        details["text"] = text[:10000]

    always: list[Person] = []  # acknowledgement of one's own ticket
    pages: list[Person] = []
    chats: list[ChatWebhook] = []
    optional: list[Person] = []  # subject to each user's level
    if event == Event.OPENED:
        always.append(Person(ticket.reporter, ticket.reporter.email, staff=False))
        if ticket.priority in PAGED_PRIORITIES:
            pages += recipients.pagers(now)
            chats = recipients.webhooks(pages=True)
        else:
            optional += recipients.pagers(now)
    elif event == Event.CUSTOMER_REPLY:
        optional += recipients.support_for(ticket, now)
        if ticket.priority == Priority.P1:
            pages += recipients.pagers(now)
            chats = recipients.webhooks(pages=True)
    elif event == Event.ASSIGNED:
        if ticket.assignee is not None:
            optional.append(Person(ticket.assignee, ticket.assignee.email, staff=True))
    else:
        if event in TO_CUSTOMERS or event in TO_BOTH_WHEN_CUSTOMER_ACTS:
            optional += recipients.customers_of(ticket)
        if event in TO_BOTH_WHEN_CUSTOMER_ACTS and not actor_is_staff:
            optional += recipients.support_for(ticket, now)

    optional = [p for p in optional if p.user.pk != actor_id]
    pages = [p for p in pages if p.user.pk != actor_id]
    levels = recipients.levels([p.user for p in optional])
    optional = [p for p in optional if recipients.wants(p, levels[p.user.pk], ticket)]

    rows = [
        _row(event, key, p, ticket=ticket, urgency=Urgency.PAGE, params=details, now=now)
        for p in always + pages
        if p.address
    ]
    rows += [
        _webhook_row(event, key, chat, ticket=ticket, urgency=Urgency.PAGE, params=details, now=now)
        for chat in chats
    ]
    rows += [
        _row(event, key, p, ticket=ticket, urgency=Urgency.NORMAL, params=details, now=now)
        for p in optional
        if p.address
    ]
    return _write(rows)


def answer_mail(
    event: str,
    *,
    inbound: InboundEmail,
    address: str,
    language: str,
    now: datetime,
    ticket: Ticket | None = None,
    user=None,
    params: dict | None = None,
) -> int:
    """Answer an e-mail once (a refusal, refused attachments, an unknown sender)."""
    row = Notification(
        event=event,
        key=f"{event}:mail:{inbound.pk}",
        recipient_key=address.strip().lower(),
        channel=Channel.EMAIL,
        ticket=ticket,
        inbound=inbound,
        user=user,
        address=address,
        language=language or settings.LANGUAGE_CODE,
        staff=is_support_staff(user),
        urgency=Urgency.NORMAL,
        params=dict(params or {}),
        created_at=now,
        next_attempt_at=now,
    )
    return _write([row])


def webhook_test(*, webhook: ChatWebhook, now: datetime) -> int:
    """A test message to one chat webhook, through the outbox like any other."""
    key = f"{Event.WEBHOOK_TEST}:{webhook.pk}:{now.strftime('%Y%m%dT%H%M%S.%f')}"
    row = _webhook_row(
        Event.WEBHOOK_TEST, key, webhook, ticket=None, urgency=Urgency.PAGE, params={}, now=now
    )
    return _write([row])


# --- SLA alerts, set-wise ------------------------------------------------------------------------


def alert_deliveries_record(*, kind: str, clock_ids: list[int], now: datetime) -> int:
    """The deliveries of the SLA alerts of kind `kind` on clocks `clock_ids` (just written by the
    sweep, in its transaction): the support managers and the assigned engineer, for a breach
    also the contract's named contacts, each address once; and the chat webhooks that take SLA
    alerts. INSERT ... SELECT per kind of recipient, whatever the number of alerts."""
    if not clock_ids:
        return 0
    qn = connection.ops.quote_name
    ts = connection.ops.adapt_datetimefield_value(now)
    event = Event.SLA_BREACHED if kind == AlertKind.BREACHED else Event.SLA_AT_RISK
    urgency = Urgency.PAGE if kind == AlertKind.BREACHED else Urgency.ALERT
    table = qn(Notification._meta.db_table)
    columns = ", ".join(
        qn(Notification._meta.get_field(name).column)
        for name in (
            "event", "key", "recipient_key", "channel", "ticket", "alert", "user", "webhook",
            "address", "language", "staff", "urgency", "params", "created_at", "next_attempt_at",
            "claimed_by", "attempts", "skipped", "last_error",
        )
    )  # fmt: skip
    alerts = qn(ClockAlert._meta.db_table)
    clocks = qn(Clock._meta.db_table)
    tickets = qn(Ticket._meta.db_table)
    users = qn(Notification._meta.get_field("user").related_model._meta.db_table)
    clock_sql, clock_params = in_ids("a.clock_id", clock_ids)
    base = (
        f"FROM {alerts} a JOIN {clocks} c ON c.id = a.clock_id "
        f"JOIN {tickets} t ON t.id = c.ticket_id "
    )
    where = f"WHERE {clock_sql} AND a.kind = %s "
    conflict = (
        f"ON CONFLICT ({qn('key')}, {qn('recipient_key')}) DO NOTHING"  # the constraint's fields
    )

    def select(recipient_key, channel, user, webhook, address, language, staff) -> str:
        return (
            f"INSERT INTO {table} ({columns}) SELECT %s, 'alert:' || a.id, {recipient_key}, "
            f"'{channel}', t.id, a.id, {user}, {webhook}, {address}, {language}, {staff}, %s, "
            "'{}', %s, %s, '', 0, '', '' "
        )

    head = [str(event), int(urgency), ts, ts]
    tail = [*clock_params, str(kind)]
    staff_ids = [p.user.pk for p in recipients.managers()]
    statements = []
    if staff_ids:
        statements.append(
            (
                select("LOWER(u.email)", "email", "u.id", "NULL", "u.email", "u.language", "%s")
                + base
                + f"JOIN {users} u ON u.id IN ({', '.join(['%s'] * len(staff_ids))}) "
                + "AND u.email <> '' "
                + where
                + conflict,
                [*head[:1], True, *head[1:], *staff_ids, *tail],
            )
        )
    # The assigned engineer.
    statements.append(
        (
            select("LOWER(u.email)", "email", "u.id", "NULL", "u.email", "u.language", "%s")
            + base
            + f"JOIN {users} u ON u.id = t.assignee_id AND u.is_active AND u.email <> '' "
            + where
            + conflict,
            [*head[:1], True, *head[1:], *tail],
        )
    )
    if kind == AlertKind.BREACHED:
        contacts = qn(
            Ticket._meta.get_field("contract").related_model._meta.get_field("contacts")
            .related_model._meta.db_table
        )  # fmt: skip
        address = "COALESCE(NULLIF(sc.email, ''), u.email)"
        statements.append(
            (
                select(f"LOWER({address})", "email", "u.id", "NULL", address, "u.language", "%s")
                + base
                + f"JOIN {contacts} sc ON sc.contract_id = t.contract_id "
                + f"JOIN {users} u ON u.id = sc.user_id AND u.is_active AND {address} <> '' "
                + where
                + conflict,
                # Customers' breach notices go after the staff's alerts of the same burst.
                [head[0], False, int(Urgency.ALERT), *head[2:], *tail],
            )
        )
    chats = [chat.pk for chat in recipients.webhooks(sla_alerts=True)]
    if chats:
        webhooks_table = qn(ChatWebhook._meta.db_table)
        statements.append(
            (
                select("'webhook:' || w.id", "webhook", "NULL", "w.id", "''", "w.language", "%s")
                + base
                + f"JOIN {webhooks_table} w ON w.id IN ({', '.join(['%s'] * len(chats))}) "
                + where
                + conflict,
                [*head[:1], True, *head[1:], *chats, *tail],
            )
        )
    written = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            written += max(cursor.rowcount, 0)
    if written:
        drain_after_commit(written)
    return written
