"""The e-mail channel's one service: an RFC 822 message becomes a reply on its ticket, a new
ticket, or a recorded refusal (docs/spec.md "The e-mail channel"), whichever door it came in by
(the MTA pipe `manage.py ingest_email`, or the IMAP poll).

- Each Message-ID is processed once; a message seen again is "ignored" as a duplicate.
- Automatic messages (auto-replies, out-of-office, bounces, lists, our own mail) are recorded
  and ignored, never answered; a sender past INGEST_RATE_LIMIT_PER_HOUR is ignored too.
- A reply is matched by the signed Reply-To token, else by In-Reply-To/References; it becomes a
  public message from the sender, who must be staff or a user of the ticket's organisation (a
  token alone never lets a stranger in). A customer's reply to a resolved ticket reopens it; to
  a closed one it opens a follow-up. A staff reply counts as support's response.
- A new mail from a named contact opens a ticket (channel e-mail) through ticket_open: P3, or
  [P1]…[P4] from the subject; the contract named in the subject in [brackets], or the only one
  the sender is a named contact of.
- Attachments go through the upload checks; refused ones are named in an answer. A refusal is
  answered once, in the sender's language; an unknown sender gets one answer a day at most.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.models import Contract, ContractStatus, ProductVersion, SupportContact
from core.errors import ServiceError
from core.roles import is_support_staff
from sla.models import Channel, Priority
from tickets.mail.parse import ParsedMail, parse_mail
from tickets.models import Ticket, TicketStatus
from tickets.notifications import threading
from tickets.notifications.events import answer_mail
from tickets.notifications.models import Event, InboundAction, InboundEmail, InboundStatus
from tickets.services import attachment_check, message_post, ticket_follow_up, ticket_open
from tickets.services.attachments import ALLOWED_TYPES

logger = logging.getLogger(__name__)

UNKNOWN_SENDER_ANSWER_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class IngestResult:
    action: str
    ticket: int | None = None
    message: int | None = None
    reason: str = ""

    def as_json(self) -> dict:
        return {
            "action": self.action,
            "ticket": self.ticket,
            "message": self.message,
            "reason": self.reason,
        }


class _Refusal(Exception):
    def __init__(self, reason: str, detail: str = "", *, answer: bool = True) -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail
        self.answer = answer


def email_ingest(*, raw: bytes, source: str, now: datetime) -> IngestResult:
    """Process one message (see the module's docstring). An unexpected error is recorded on the
    message's row (visible in the admin, tried again next time) and raised."""
    mail = parse_mail(raw)
    done = (
        InboundEmail.objects.filter(message_id=mail.message_id, status=InboundStatus.PROCESSED)
        .values_list("ticket_id", "posted_id")
        .first()
    )
    if done is not None:
        return IngestResult("ignored", ticket=done[0], message=done[1], reason="duplicate")
    try:
        with transaction.atomic():
            return _ingest(mail, source=source, now=now)
    except IntegrityError:
        # Another process recorded the same Message-ID a moment ago.
        if InboundEmail.objects.filter(
            message_id=mail.message_id, status=InboundStatus.PROCESSED
        ).exists():
            return IngestResult("ignored", reason="duplicate")
        _record_failure(mail, source=source, now=now, error="IntegrityError")
        raise
    except Exception as exc:
        _record_failure(mail, source=source, now=now, error=f"{type(exc).__name__}: {exc}")
        raise


def _record_failure(mail: ParsedMail, *, source: str, now: datetime, error: str) -> None:
    try:
        record, created = InboundEmail.objects.get_or_create(
            message_id=mail.message_id,
            defaults={
                "source": source,
                "sender": mail.sender,
                "subject": mail.subject,
                "received_at": now,
                "status": InboundStatus.FAILED,
                "detail": error[:4000],
            },
        )
        if not created and record.status == InboundStatus.FAILED:
            InboundEmail.objects.filter(pk=record.pk).update(
                detail=error[:4000], attempts=record.attempts + 1
            )
    except Exception:  # the database itself failed: the log is all we have
        logger.exception("could not record a failed e-mail")


def _ingest(mail: ParsedMail, *, source: str, now: datetime) -> IngestResult:
    record = InboundEmail.objects.filter(message_id=mail.message_id).first()
    if record is None:
        record = InboundEmail(message_id=mail.message_id, attempts=0)
    record.source = source
    record.sender = mail.sender
    record.subject = mail.subject
    record.received_at = now
    record.status = InboundStatus.PROCESSED
    record.detail = ""
    record.attempts += 1
    record.save()

    if mail.automatic:
        return _finish(record, InboundAction.IGNORED, reason=mail.automatic)
    if not mail.sender:
        return _finish(record, InboundAction.IGNORED, reason="no_sender")
    recent = InboundEmail.objects.filter(
        sender=mail.sender, received_at__gt=now - timedelta(hours=1)
    ).exclude(pk=record.pk)
    if recent.count() >= settings.INGEST_RATE_LIMIT_PER_HOUR:
        return _finish(record, InboundAction.IGNORED, reason="rate_limited")

    user = _sender_user(mail.sender)
    ticket = _ticket_of(mail)
    if user is None:
        return _unknown_sender(record, mail, ticket=ticket, now=now)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        try:
            if ticket is not None:
                return _reply(record, mail, user=user, ticket=ticket, now=now)
            return _open(record, mail, user=user, now=now)
        except _Refusal as refusal:
            return _refuse(record, mail, user=user, ticket=ticket, refusal=refusal, now=now)
        except ServiceError as exc:
            # The services' refusal, rolled back to the savepoint; the record stays.
            refusal = _Refusal(exc.code, exc.message)
            return _refuse(record, mail, user=user, ticket=ticket, refusal=refusal, now=now)


def _finish(record, action, *, reason="", ticket=None, message=None, detail="") -> IngestResult:
    record.action = action
    record.reason = reason
    record.detail = detail[:4000]
    record.ticket = ticket
    record.posted = message
    record.save()
    return IngestResult(
        action,
        ticket=ticket.pk if ticket else None,
        message=message.pk if message else None,
        reason=reason,
    )


def _sender_user(address: str):
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(email__iexact=address).first()
    if user is None:
        contact = (
            SupportContact.objects.filter(email__iexact=address, user__is_active=True)
            .select_related("user")
            .first()
        )
        user = contact.user if contact else None
    return user


def _ticket_of(mail: ParsedMail) -> Ticket | None:
    pk = next(
        (p for p in map(threading.ticket_from_address, mail.recipients) if p is not None), None
    ) or threading.ticket_from_references(mail.in_reply_to, mail.references)
    if pk is None:
        return None
    return Ticket.objects.select_related("contract__customer").filter(pk=pk).first()


def _checked_attachments(mail: ParsedMail) -> tuple[list, list[str]]:
    accepted, refused = [], []
    for file in mail.attachments:
        try:
            attachment_check(file)
        except ServiceError as exc:
            refused.append(exc.message)
        else:
            accepted.append(file)
    return accepted, refused


def _body(mail: ParsedMail) -> str:
    return mail.text or mail.full_text


def _reply(record, mail: ParsedMail, *, user, ticket: Ticket, now) -> IngestResult:
    staff = is_support_staff(user)
    if not staff and user.customer_id != ticket.contract.customer_id:
        raise _Refusal(
            "not_allowed",
            _("%(address)s cannot write on ticket #%(number)s.")
            % {"address": mail.sender, "number": ticket.pk},
        )
    accepted, refused = _checked_attachments(mail)
    body = _body(mail)
    if not body and accepted:
        body = _("(files attached by e-mail)")
    if ticket.status == TicketStatus.CLOSED and not staff:
        with transaction.atomic():
            follow_up = ticket_follow_up(
                ticket=ticket,
                reporter=user,
                subject=mail.clean_subject or ticket.subject,
                description=body or ticket.subject,
                priority=mail.priority or Priority.P3,
                unmodified_build=True,
                channel=Channel.EMAIL,
                attachments=accepted,
                now=now,
            )
        _answer_refused_files(record, mail, user=user, ticket=follow_up, refused=refused, now=now)
        return _finish(record, InboundAction.OPENED, reason="follow_up", ticket=follow_up)
    with transaction.atomic():
        message = message_post(ticket=ticket, author=user, body=body, attachments=accepted, now=now)
    _answer_refused_files(record, mail, user=user, ticket=ticket, refused=refused, now=now)
    return _finish(record, InboundAction.REPLIED, ticket=ticket, message=message)


def _contract_for(mail: ParsedMail, user) -> Contract:
    named = list(
        Contract.objects.filter(contacts__user=user)
        .exclude(status=ContractStatus.REJECTED)
        .order_by("number")
    )
    if not named and user.customer_id:
        # Not a named contact: ticket_open refuses with the entitlement's own reason.
        named = list(Contract.objects.filter(customer_id=user.customer_id).order_by("number"))
    if not named:
        raise _Refusal(
            "no_contract", _("Your address is not a named support contact of any contract.")
        )
    wanted = {word.lower() for word in mail.bracketed()}
    chosen = [c for c in named if c.number.lower() in wanted]
    if len(chosen) == 1:
        return chosen[0]
    active = [c for c in named if c.status == ContractStatus.ACTIVE] or named
    if len(active) == 1:
        return active[0]
    raise _Refusal(
        "choose_contract",
        _("You are a named contact of several contracts; say which one in the subject."),
    )


def _version_for(contract: Contract, now: datetime):
    product = contract.products.filter(commercially_supported=True).order_by("name").first()
    if product is None:
        product = contract.products.order_by("name").first()
    if product is None:
        raise _Refusal("no_product", _("The contract covers no product."))
    versions = ProductVersion.objects.filter(product=product).order_by("-released_on", "-pk")
    today = now.date()
    version = versions.filter(end_of_support__gte=today).first() or versions.first()
    return product, version


def _open(record, mail: ParsedMail, *, user, now) -> IngestResult:
    if is_support_staff(user):
        raise _Refusal(
            "staff_new_mail",
            _(
                "Support staff log new tickets in the back office; reply to a ticket's mail to "
                "add to it."
            ),
        )
    contract = _contract_for(mail, user)
    product, version = _version_for(contract, now)
    contact = SupportContact.objects.filter(contract=contract, user=user).first()
    accepted, refused = _checked_attachments(mail)
    with transaction.atomic():
        ticket = ticket_open(
            contract=contract,
            product=product,
            version=version,
            priority=mail.priority or Priority.P3,
            subject=mail.clean_subject or _("(no subject)"),
            description=_body(mail) or mail.clean_subject or _("(no text)"),
            reporter=user,
            channel=Channel.EMAIL,
            on_duty_name=user.get_full_name() or mail.sender_name or user.email,
            on_duty_phone=(contact.phone if contact else "") or user.phone,
            unmodified_build=True,
            attachments=accepted,
            now=now,
        )
    _answer_refused_files(record, mail, user=user, ticket=ticket, refused=refused, now=now)
    return _finish(record, InboundAction.OPENED, ticket=ticket)


def _answer_refused_files(record, mail, *, user, ticket, refused, now) -> None:
    if not refused:
        return
    answer_mail(
        Event.MAIL_ATTACHMENTS_REFUSED,
        inbound=record,
        address=mail.sender,
        language=user.language,
        user=user,
        ticket=ticket,
        now=now,
        params={
            "number": f"#{ticket.pk}",
            "refused": refused,
            "types": " ".join(sorted(ALLOWED_TYPES)),
            "link": f"{settings.SITE_URL}/tickets/{ticket.pk}/",
        },
    )
    record.answered = True


def _refuse(record, mail, *, user, ticket, refusal: _Refusal, now) -> IngestResult:
    contracts = list(
        Contract.objects.filter(contacts__user=user)
        .order_by("number")
        .values_list("number", flat=True)
    )
    if refusal.answer:
        answer_mail(
            Event.MAIL_REFUSED,
            inbound=record,
            address=mail.sender,
            language=user.language,
            user=user,
            now=now,
            params={
                "subject": mail.subject,
                "reason": refusal.detail or refusal.reason,
                "contracts": ", ".join(contracts) if refusal.reason == "choose_contract" else "",
                "example": contracts[0] if contracts else "",
                "portal": f"{settings.SITE_URL}/tickets/new/",
            },
        )
        record.answered = True
    return _finish(
        record,
        InboundAction.REFUSED,
        reason=refusal.reason,
        ticket=ticket,
        detail=refusal.detail,
    )


def _unknown_sender(record, mail: ParsedMail, *, ticket, now) -> IngestResult:
    answered_lately = (
        InboundEmail.objects.filter(
            Q(sender=mail.sender), answered=True, received_at__gt=now - UNKNOWN_SENDER_ANSWER_EVERY
        )
        .exclude(pk=record.pk)
        .exists()
    )
    if not answered_lately:
        answer_mail(
            Event.MAIL_UNKNOWN_SENDER,
            inbound=record,
            address=mail.sender,
            language=settings.LANGUAGE_CODE,
            now=now,
            params={"subject": mail.subject},
        )
        record.answered = True
    return _finish(
        record,
        InboundAction.REFUSED,
        reason="unknown_sender",
        detail=_("No active user or named contact has this address."),
    )
