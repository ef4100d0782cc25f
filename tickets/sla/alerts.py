"""Sending the SLA alert outbox (rows written by tickets.sla.sweep.clocks_evaluate).

Each alert is claimed with a conditional UPDATE (`claimed_until`), so two senders never send the
same one; it is marked sent after the mail went out, or rescheduled with an exponential backoff
when the mail server fails. An alert is never lost: until it is sent it stays in the outbox.
Delivery is at least once per recipient: a failure halfway through an alert's recipients resends
to all of them on the next attempt.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import translation

from contracts.models import SupportContact
from core.roles import support_managers
from core.timefmt import local_time
from sla.models import Metric
from tickets.models import AlertKind, ClockAlert, SlaState
from tickets.sla.sweep import queue_alert_sending

logger = logging.getLogger(__name__)

# A claim outlives any sensible SMTP timeout; after it expires another sender may take over.
CLAIM_FOR = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
# An at-risk alert whose clock has ended meanwhile (met, breached) says nothing useful any more.
MOOT_AT_RISK_STATES = {SlaState.MET, SlaState.BREACHED, SlaState.NOT_APPLICABLE}


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    skipped: int


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    staff: bool


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 1, 2, 4, ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 10)), MAX_BACKOFF)


def _due(now: datetime) -> Q:
    return (
        Q(sent_at__isnull=True)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def alerts_send(*, now: datetime, batch: int = 100) -> SendResult:
    """Send up to `batch` due alerts, one e-mail per recipient in the recipient's language.
    Runs outside a transaction: each claim and each outcome commits on its own."""
    ids = list(
        ClockAlert.objects.filter(_due(now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    # The conditional UPDATE is the claim: only one sender sees "1 row".
    claimed = [
        pk
        for pk in ids
        if ClockAlert.objects.filter(_due(now), pk=pk).update(claimed_until=now + CLAIM_FOR)
    ]
    if not claimed:
        return SendResult(sent=0, failed=0, skipped=0)
    alerts = (
        ClockAlert.objects.filter(pk__in=claimed)
        .select_related(
            "clock__ticket__contract__customer",
            "clock__ticket__contract__tier",
            "clock__ticket__assignee",
        )
        .prefetch_related(
            Prefetch(
                "clock__ticket__contract__contacts",
                queryset=SupportContact.objects.select_related("user").filter(user__is_active=True),
            )
        )
        .order_by("created_at", "pk")
    )
    managers = list(support_managers().order_by("pk"))
    sent = failed = skipped = 0
    for alert in alerts:
        if alert.kind == AlertKind.AT_RISK and alert.clock.state in MOOT_AT_RISK_STATES:
            ClockAlert.objects.filter(pk=alert.pk, sent_at__isnull=True).update(
                sent_at=now,
                claimed_until=None,
                last_error=f"not sent: the clock is {alert.clock.state} by now",
            )
            skipped += 1
            continue
        try:
            messages = alert_messages(alert=alert, managers=managers)
            if not messages:
                logger.warning("SLA alert %s has no recipient (no active manager?)", alert.pk)
            get_connection().send_messages(messages)
        except Exception as exc:  # any mail failure: keep the alert, try again later
            attempts = alert.attempts + 1
            logger.warning("SLA alert %s not sent (attempt %s): %s", alert.pk, attempts, exc)
            ClockAlert.objects.filter(pk=alert.pk, sent_at__isnull=True).update(
                attempts=F("attempts") + 1,
                next_attempt_at=now + retry_delay(attempts),
                claimed_until=None,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            failed += 1
            continue
        ClockAlert.objects.filter(pk=alert.pk, sent_at__isnull=True).update(
            sent_at=now, attempts=F("attempts") + 1, claimed_until=None, last_error=""
        )
        sent += 1
    return SendResult(sent=sent, failed=failed, skipped=skipped)


@transaction.atomic
def alerts_retry(*, alert_ids: list[int], now: datetime) -> int:
    """Make unsent alerts due at once (the admin's "retry now") and queue a sending run."""
    count = ClockAlert.objects.filter(pk__in=alert_ids, sent_at__isnull=True).update(
        next_attempt_at=now
    )
    if count:
        transaction.on_commit(queue_alert_sending, robust=True)
    return count


def alert_recipients(*, alert: ClockAlert, managers) -> list[Recipient]:
    """Support managers and the assigned engineer; for a breach also the contract's named
    contacts. One entry per address."""
    ticket = alert.clock.ticket
    staff = list(managers)
    if ticket.assignee is not None and ticket.assignee.is_active:
        staff.append(ticket.assignee)
    people = [Recipient(u.email, u.language, staff=True) for u in staff]
    if alert.kind == AlertKind.BREACHED:
        people += [
            Recipient(c.email or c.user.email, c.user.language, staff=False)
            for c in ticket.contract.contacts.all()
        ]
    seen: set[str] = set()
    unique = []
    for person in people:
        key = person.email.lower()
        if person.email and key not in seen:
            seen.add(key)
            unique.append(person)
    return unique


def alert_messages(*, alert: ClockAlert, managers) -> list[EmailMessage]:
    return [
        alert_message(alert=alert, recipient=recipient)
        for recipient in alert_recipients(alert=alert, managers=managers)
    ]


def alert_message(*, alert: ClockAlert, recipient: Recipient) -> EmailMessage:
    """The e-mail of one alert to one recipient, rendered in the recipient's language."""
    audience = "staff" if recipient.staff else "customer"
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = alert_context(alert=alert, staff=recipient.staff)
        subject = render_to_string(f"emails/sla/alert_{audience}_subject.txt", context)
        body = render_to_string(f"emails/sla/alert_{audience}_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-SLA-Alert": str(alert.pk)},
    )


def alert_context(*, alert: ClockAlert, staff: bool) -> dict:
    """Template variables, in the active language. Due times are shown in the contract's time
    zone, named, and in UTC."""
    clock = alert.clock
    ticket = clock.ticket
    contract = ticket.contract
    customer = contract.customer
    chinese = (translation.get_language() or "").startswith("zh")
    link = (
        f"{settings.SITE_URL}/admin/tickets/ticket/{ticket.pk}/change/"
        if staff
        else f"{settings.SITE_URL}/tickets/{ticket.pk}/"
    )
    return {
        "kind": alert.kind,
        "breached": alert.kind == AlertKind.BREACHED,
        "number": f"#{ticket.pk}",
        "subject": ticket.subject,
        "customer": (customer.name_zh if chinese and customer.name_zh else customer.name_en),
        "contract": contract.number,
        "tier": contract.tier.name,
        "priority": str(ticket.get_priority_display()),
        "metric": str(Metric(clock.metric).label),
        "due_local": local_time(clock.due_at, contract.timezone) or "—",
        "due_utc": f"{clock.due_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if clock.due_at else "—",
        "ratio": f"{round(settings.SLA_AT_RISK_RATIO * 100)} %",
        "engineer": str(ticket.assignee) if ticket.assignee else "",
        "link": link,
        "hotline": settings.SUPPORT_HOTLINE,
        "support_email": settings.SUPPORT_EMAIL,
    }
