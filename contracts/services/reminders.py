"""Expiry reminders: 30 and 7 days before a contract's term ends, its named contacts and the
selling partner's users get an e-mail, each reminder once."""

from datetime import UTC, datetime, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from contracts.emails import send_to_users, site_url
from contracts.models import Contract, ContractReminder, ContractStatus, ReminderKind
from contracts.services.entitlement import contract_local_date

# Days left at or below which a reminder is due, latest first: a contract that enters the
# window late (registered with 5 days left, or after an outage) gets only the nearest one.
REMINDER_WINDOWS = [(ReminderKind.DAYS_7, 7), (ReminderKind.DAYS_30, 30)]
LONGEST = max(days for _kind, days in REMINDER_WINDOWS)


def reminder_kind_due(days_left: int) -> str | None:
    """The reminder due with `days_left` days of term left (0 = the last day), if any."""
    if days_left < 0:
        return None
    for kind, days in REMINDER_WINDOWS:
        if days_left <= days:
            return kind
    return None


def reminder_recipients(contract: Contract) -> list:
    """The named contacts' users and the selling partner's users, active, each once."""
    who = Q(support_contacts__contract=contract)
    if contract.sold_by_id:
        who |= Q(partner_id=contract.sold_by_id)
    return list(get_user_model().objects.filter(who, is_active=True).distinct().order_by("pk"))


def _send_reminder(reminder_pk: int) -> None:
    reminder = ContractReminder.objects.select_related(
        "contract__customer", "contract__tier", "contract__sold_by"
    ).get(pk=reminder_pk)
    contract = reminder.contract
    send_to_users(
        template="contract_expiry_reminder",
        users=reminder_recipients(contract),
        context={
            "contract": contract,
            "customer": contract.customer,
            "days_left": (contract.ends_on - contract_local_date(contract, reminder.sent_at)).days,
            "kind": reminder.kind,
            "portal_url": site_url(reverse("portal:dashboard")),
        },
    )


def contract_reminders_send(*, now: datetime) -> int:
    """Record and (after commit) send each expiry reminder that is due; the unique
    (contract, kind) row makes a second run, or a concurrent worker, skip it."""
    today_utc = now.astimezone(UTC).date()
    candidates = Contract.objects.filter(
        status=ContractStatus.ACTIVE,
        ends_on__gte=today_utc - timedelta(days=1),
        ends_on__lte=today_utc + timedelta(days=LONGEST + 1),
    ).only("pk", "timezone", "ends_on")
    sent_kinds = set(
        ContractReminder.objects.filter(contract__in=candidates).values_list("contract_id", "kind")
    )
    created = 0
    for contract in candidates:
        kind = reminder_kind_due((contract.ends_on - contract_local_date(contract, now)).days)
        if kind is None or (contract.pk, kind) in sent_kinds:
            continue
        try:
            with transaction.atomic():
                reminder = ContractReminder.objects.create(
                    contract=contract, kind=kind, sent_at=now
                )
                transaction.on_commit(partial(_send_reminder, reminder.pk))
        except IntegrityError:
            continue  # another worker recorded it first and sends it
        created += 1
    return created
