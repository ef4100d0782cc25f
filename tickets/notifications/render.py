"""What a delivery says: the e-mail (subject, body, threading headers) or the chat text of one
outbox row, rendered when it is sent, in the recipient's language. Due times are shown in the
contract's zone, named (core.timefmt.local_time); staff links go to the back office, customers'
to the portal."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.timefmt import local_time
from sla.models import Metric
from tickets.models import AlertKind, Clock, SlaState, Ticket
from tickets.notifications import threading
from tickets.notifications.models import Event, Notification, Urgency
from tickets.satisfaction import rating_url

# What happened, as the first line of the mail and the end of its subject.
# %(actor)s is the person who acted, %(number)s the ticket's number.
HEADLINES = {
    Event.OPENED: (
        gettext_lazy("Your ticket %(number)s is open; its SLA clocks have started."),
        gettext_lazy("New ticket %(number)s from %(customer)s."),
    ),
    Event.STAFF_REPLY: (
        gettext_lazy("Support replied to your ticket %(number)s."),
        gettext_lazy("%(actor)s replied to ticket %(number)s."),
    ),
    Event.CALL_LOGGED: (
        gettext_lazy("Support logged a call on your ticket %(number)s."),
        gettext_lazy("%(actor)s logged a call on ticket %(number)s."),
    ),
    Event.CUSTOMER_REPLY: (
        gettext_lazy("%(actor)s replied to ticket %(number)s."),
        gettext_lazy("%(actor)s replied to ticket %(number)s."),
    ),
    Event.WAITING: (
        gettext_lazy("Support needs information from you on ticket %(number)s."),
        gettext_lazy("Ticket %(number)s waits for the customer."),
    ),
    Event.RESTORED: (
        gettext_lazy("Service is restored on ticket %(number)s."),
        gettext_lazy("Service is restored on ticket %(number)s."),
    ),
    Event.RESOLVED: (
        gettext_lazy("Ticket %(number)s is resolved."),
        gettext_lazy("Ticket %(number)s is resolved."),
    ),
    Event.CLOSED: (
        gettext_lazy("Ticket %(number)s is closed."),
        gettext_lazy("%(actor)s closed ticket %(number)s."),
    ),
    Event.REOPENED: (
        gettext_lazy("Ticket %(number)s is reopened."),
        gettext_lazy("%(actor)s reopened ticket %(number)s."),
    ),
    Event.DOWNGRADED: (
        gettext_lazy("The priority of ticket %(number)s was lowered to %(priority)s."),
        gettext_lazy("The priority of ticket %(number)s was lowered to %(priority)s."),
    ),
    Event.UNSUPPORTED: (
        gettext_lazy("Ticket %(number)s concerns an unsupported build."),
        gettext_lazy("Ticket %(number)s is marked as an unsupported build."),
    ),
    Event.AGREEMENT_PROPOSED: (
        gettext_lazy("Support proposes a new resolution time for ticket %(number)s: %(due)s."),
        gettext_lazy("A new resolution time is proposed for ticket %(number)s: %(due)s."),
    ),
    Event.AGREEMENT_ACCEPTED: (
        gettext_lazy("The resolution time %(due)s of ticket %(number)s is agreed."),
        gettext_lazy("%(actor)s accepted the resolution time %(due)s of ticket %(number)s."),
    ),
    Event.AGREEMENT_DECLINED: (
        gettext_lazy("The proposed resolution time %(due)s of ticket %(number)s was declined."),
        gettext_lazy("%(actor)s declined the resolution time %(due)s of ticket %(number)s."),
    ),
    Event.AGREEMENT_WITHDRAWN: (
        gettext_lazy("Support withdrew its proposed resolution time for ticket %(number)s."),
        gettext_lazy("The proposed resolution time of ticket %(number)s was withdrawn."),
    ),
    Event.SESSION_REQUESTED: (
        gettext_lazy("A remote session is booked on ticket %(number)s for %(due)s."),
        gettext_lazy("%(actor)s requested a remote session on ticket %(number)s for %(due)s."),
    ),
    Event.SESSION_RECORDED: (
        gettext_lazy("The next steps of the remote session on ticket %(number)s are recorded."),
        gettext_lazy("The remote session on ticket %(number)s is recorded."),
    ),
    Event.SESSION_CANCELLED: (
        gettext_lazy("The remote session of %(due)s on ticket %(number)s is cancelled."),
        gettext_lazy("%(actor)s cancelled the remote session of %(due)s on ticket %(number)s."),
    ),
    Event.ASSIGNED: (
        gettext_lazy("Ticket %(number)s is assigned to you."),
        gettext_lazy("Ticket %(number)s is assigned to you."),
    ),
}

# What the text passed with an event is, when there is one.
TEXT_LABELS = {
    Event.WAITING: gettext_lazy("What support needs from you:"),
    Event.DOWNGRADED: gettext_lazy("Reason:"),
    Event.UNSUPPORTED: gettext_lazy("Reason:"),
    Event.AGREEMENT_PROPOSED: gettext_lazy("Reason:"),
    Event.AGREEMENT_DECLINED: gettext_lazy("Reason:"),
    Event.SESSION_RECORDED: gettext_lazy("Next steps:"),
    Event.SESSION_REQUESTED: gettext_lazy("Project:"),
}


def ticket_link(ticket_pk: int, *, staff: bool) -> str:
    if staff:
        return f"{settings.SITE_URL}/admin/tickets/ticket/{ticket_pk}/change/"
    return f"{settings.SITE_URL}/tickets/{ticket_pk}/"


def _customer_name(ticket: Ticket) -> str:
    customer = ticket.contract.customer
    chinese = (translation.get_language() or "").startswith("zh")
    return customer.name_zh if chinese and customer.name_zh else customer.name_en


def _clock_lines(ticket: Ticket, clocks: list[Clock]) -> list[str]:
    zone = ticket.contract.timezone
    lines = []
    for clock in sorted(clocks, key=lambda c: Metric.values.index(c.metric)):
        label = Metric(clock.metric).label
        if clock.state in (SlaState.RUNNING, SlaState.PAUSED) and clock.due_at:
            state = _("paused") if clock.state == SlaState.PAUSED else _("due")
            lines.append(f"{label}: {state} {local_time(clock.due_at, zone)}")
        elif clock.state == SlaState.MET:
            lines.append(f"{label}: {_('met')}")
        elif clock.state == SlaState.BREACHED:
            lines.append(f"{label}: {_('breached')}")
    return lines


def _headline(row: Notification, ticket: Ticket | None) -> str:
    params = row.params or {}
    customer_text, staff_text = HEADLINES[row.event]
    text = staff_text if row.staff else customer_text
    values = {
        "number": f"#{ticket.pk}" if ticket else "",
        "actor": params.get("actor") or _("Support"),
        "customer": _customer_name(ticket) if ticket else "",
        "priority": str(ticket.get_priority_display()) if ticket else "",
        "due": local_time(_moment(params.get("due_at")), ticket.contract.timezone)
        if ticket
        else "",
    }
    return str(text) % values


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _ticket_context(row: Notification, clocks: list[Clock]) -> dict:
    ticket = row.ticket
    params = row.params or {}
    headline = _headline(row, ticket)
    page = row.urgency == Urgency.PAGE and row.staff and row.event != Event.WEBHOOK_TEST
    return {
        "row": row,
        "event": row.event,
        "staff": row.staff,
        "page": page,
        "headline": headline,
        "short_headline": headline.rstrip(".。"),
        "number": f"#{ticket.pk}",
        "ticket": ticket,
        "subject": ticket.subject,
        "customer": _customer_name(ticket),
        "contract": ticket.contract,
        "priority": str(ticket.get_priority_display()),
        "status": str(ticket.get_status_display()),
        "text": params.get("text", ""),
        "reopened": bool(params.get("reopened")),
        "text_label": TEXT_LABELS.get(row.event, ""),
        "clocks": _clock_lines(ticket, clocks),
        "zone": ticket.contract.timezone,
        "link": ticket_link(ticket.pk, staff=row.staff),
        "agreement_link": f"{ticket_link(ticket.pk, staff=False)}#agreement",
        "satisfaction_url": _satisfaction_url(row, ticket),
        "hotline": settings.SUPPORT_HOTLINE,
        "support_email": settings.SUPPORT_EMAIL,
    }


def _satisfaction_url(row: Notification, ticket: Ticket) -> str:
    """The signed rating link of a resolved notice, for a user of the customer only (a plain
    address or a partner gets none: the link rates as that user)."""
    if row.event != Event.RESOLVED or row.staff or not row.user_id:
        return ""
    if row.user.customer_id != ticket.contract.customer_id:
        return ""
    return rating_url(ticket_id=ticket.pk, user_id=row.user_id)


def _alert_context(row: Notification) -> dict:
    """The SLA alert templates' variables (emails/sla/)."""
    clock = row.alert.clock
    ticket = clock.ticket
    contract = ticket.contract
    return {
        "kind": row.alert.kind,
        "breached": row.alert.kind == AlertKind.BREACHED,
        "number": f"#{ticket.pk}",
        "subject": ticket.subject,
        "customer": _customer_name(ticket),
        "contract": contract.number,
        "tier": contract.tier.name,
        "priority": str(ticket.get_priority_display()),
        "metric": str(Metric(clock.metric).label),
        "due_local": local_time(clock.due_at, contract.timezone) or "—",
        "due_utc": f"{clock.due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if clock.due_at else "—",
        "ratio": f"{round(settings.SLA_AT_RISK_RATIO * 100)} %",
        "engineer": str(ticket.assignee) if ticket.assignee else "",
        "link": ticket_link(ticket.pk, staff=row.staff),
        "hotline": settings.SUPPORT_HOTLINE,
        "support_email": settings.SUPPORT_EMAIL,
    }


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def email_for(row: Notification, clocks: list[Clock] | None = None) -> EmailMessage:
    """The e-mail of one outbox row. `clocks` are the ticket's clocks (read by the caller)."""
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    reply_to = None
    with translation.override(row.language or settings.LANGUAGE_CODE):
        if row.alert_id:
            audience = "staff" if row.staff else "customer"
            subject, body = _render(f"emails/sla/alert_{audience}", _alert_context(row))
            headers["X-SLA-Alert"] = str(row.alert_id)
        elif row.ticket_id:
            context = _ticket_context(row, clocks or [])
            subject, body = _render("emails/notifications/ticket", context)
        else:
            context = {
                **(row.params or {}),
                "event": row.event,
                "hotline": settings.SUPPORT_HOTLINE,
                "support_email": settings.SUPPORT_EMAIL,
            }
            subject, body = _render(f"emails/notifications/{row.event}", context)
    if row.ticket_id:
        root = threading.thread_id(row.ticket_id)
        if row.event == Event.OPENED and not row.staff:
            headers["Message-ID"] = root  # the acknowledgement is the thread's first message
        else:
            headers["Message-ID"] = threading.message_id(row.ticket_id, row.pk)
            headers["In-Reply-To"] = root
            headers["References"] = root
        headers["X-Support-Ticket"] = str(row.ticket_id)
        reply_to = [threading.reply_address(row.ticket_id)]
    if row.inbound_id:
        # RFC 3834: an answer to a message is auto-replied and refers to it.
        headers["Auto-Submitted"] = "auto-replied"
        original = row.inbound.message_id
        if original.startswith("<"):
            headers["In-Reply-To"] = original
            headers["References"] = original
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        reply_to=reply_to,
        headers=headers,
    )


def chat_text(row: Notification, clocks: list[Clock] | None = None) -> str:
    """The text a chat webhook posts: what happened, the ticket, its due times, the link."""
    with translation.override(row.language or settings.LANGUAGE_CODE):
        if row.event == Event.WEBHOOK_TEST:
            return _("Test message from the support portal: this chat receives pages and alerts.")
        if row.alert_id:
            context = _alert_context(row)
            _subject, body = _render("emails/sla/alert_staff", context)
            return body.strip()
        context = _ticket_context(row, clocks or [])
        return render_to_string("emails/notifications/chat.txt", context).strip()
