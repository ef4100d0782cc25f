"""The notification outbox and what decides who gets what: the on-call rota, chat webhooks and
each user's notification level; and the record of e-mail received (one row per Message-ID).

One outbox for everything that leaves the system about a ticket: a row is one delivery (one
e-mail address, or one chat webhook) of one event, written in the transaction that made the
event, unique per (event, recipient), sent after commit by the one sending path
(tickets.notifications.sending), which claims each row on its own for a minute at most."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """How much a user hears. SLA alerts, pages and the acknowledgement of one's own new ticket
    are always sent."""

    ALL = "all", _("all updates")
    MINE = "mine", _("only tickets I reported or am assigned")
    NONE = "none", _("none")


class NotificationSetting(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_setting",
        verbose_name=_("user"),
    )
    level = models.CharField(
        _("notifications"), max_length=5, choices=Level.choices, default=Level.ALL
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_level_display()}"


class OnCallShift(models.Model):
    """An engineer on call from `starts_at` until `ends_at` (overlaps allowed: everyone on call
    at a moment is paged)."""

    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="on_call_shifts",
        verbose_name=_("engineer"),
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call rota")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="oncall_ends_after_start",
                violation_error_message=_("A shift ends after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="oncall_current")]

    def __str__(self) -> str:
        return f"{self.engineer} {self.starts_at:%Y-%m-%d %H:%M}"


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    SLACK = "slack", _("Slack-compatible incoming webhook")


class ChatWebhook(models.Model):
    """A chat group that hears pages and SLA alerts."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=WebhookKind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the robot's signing secret (SEC...)."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    pages = models.BooleanField(
        _("pages"), default=True, help_text=_("New P1 and P2 tickets, customer replies on P1.")
    )
    sla_alerts = models.BooleanField(_("SLA alerts"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")

    def __str__(self) -> str:
        return self.name


class Event(models.TextChoices):
    OPENED = "opened", _("ticket opened")
    STAFF_REPLY = "staff_reply", _("support replied")
    CALL_LOGGED = "call_logged", _("call logged")
    CUSTOMER_REPLY = "customer_reply", _("customer replied")
    WAITING = "waiting", _("waiting for the customer")
    RESTORED = "restored", _("service restored")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    DOWNGRADED = "downgraded", _("priority lowered")
    UNSUPPORTED = "unsupported", _("unsupported build")
    AGREEMENT_PROPOSED = "agreement_proposed", _("resolution time proposed")
    AGREEMENT_ACCEPTED = "agreement_accepted", _("resolution time accepted")
    AGREEMENT_DECLINED = "agreement_declined", _("resolution time declined")
    AGREEMENT_WITHDRAWN = "agreement_withdrawn", _("proposal withdrawn")
    SESSION_REQUESTED = "session_requested", _("remote session requested")
    SESSION_RECORDED = "session_recorded", _("remote session recorded")
    SESSION_CANCELLED = "session_cancelled", _("remote session cancelled")
    ASSIGNED = "assigned", _("assigned")
    SLA_AT_RISK = "sla_at_risk", _("SLA at risk")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    MAIL_REFUSED = "mail_refused", _("e-mail refused")
    MAIL_UNKNOWN_SENDER = "mail_unknown_sender", _("e-mail from an unknown sender")
    MAIL_ATTACHMENTS_REFUSED = "mail_attachments", _("attachments refused")
    WEBHOOK_TEST = "webhook_test", _("webhook test")


_EVENT_LABELS = dict(Event.choices)  # lazy: translated when shown


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("chat webhook")


class Urgency(models.IntegerChoices):
    """Sending order: pages and breaches first, at-risk alerts next, then everything else."""

    PAGE = 0, _("page")
    ALERT = 1, _("alert")
    NORMAL = 2, _("notification")


class Notification(models.Model):
    """One delivery of one event to one recipient (an address or a chat webhook)."""

    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    key = models.CharField(_("event key"), max_length=120)
    recipient_key = models.CharField(_("recipient key"), max_length=260)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("ticket"),
        db_index=False,  # indexed by notification_ticket (ticket, created_at)
    )
    alert = models.ForeignKey(
        "tickets.ClockAlert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("SLA alert"),
    )
    inbound = models.ForeignKey(
        "notifications.InboundEmail",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("answer to"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    webhook = models.ForeignKey(
        ChatWebhook,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("chat webhook"),
    )
    address = models.EmailField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    staff = models.BooleanField(_("to support staff"), default=False)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    # Due when unsent and next_attempt_at has passed. A sender claims a row by moving
    # next_attempt_at a minute ahead: a crash leaves it due again a minute later.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_by = models.CharField(_("claimed by"), max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    skipped = models.CharField(_("not sent because"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing notification")
        verbose_name_plural = _("outbox")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "recipient_key"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            # The senders' claim: unsent rows in the order they are sent (urgency, due time, id:
            # the id too, so that thousands of rows due at the same moment are taken in index
            # order, not sorted for every claim); as small as the backlog, whatever the history.
            models.Index(
                fields=["urgency", "next_attempt_at", "id"],
                name="notification_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
            models.Index(fields=["ticket", "created_at"], name="notification_ticket"),
        ]

    def __str__(self) -> str:
        # The event's label alone: get_event_display() translates the label of every event
        # to find one, and the outbox names each of its hundred rows (the rows' checkboxes).
        event = _EVENT_LABELS.get(self.event, self.event)
        return f"{event} → {self.address or self.webhook_id or ''}"

    @property
    def recipient_label(self) -> str:
        if self.channel == Channel.WEBHOOK:
            return str(self.webhook) if self.webhook_id else "—"
        return self.address


class DrainSlot(models.Model):
    """One of the outbox's sending slots: a drain task holds a slot while it runs, so that a
    burst of events queues at most as many drains as there are slots."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    busy_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sending slot")
        verbose_name_plural = _("sending slots")

    def __str__(self) -> str:
        return str(self.number)


class InboundStatus(models.TextChoices):
    PROCESSED = "processed", _("processed")
    FAILED = "failed", _("failed, will be tried again")


class InboundAction(models.TextChoices):
    REPLIED = "replied", _("reply added")
    OPENED = "opened", _("ticket opened")
    REFUSED = "refused", _("refused")
    IGNORED = "ignored", _("ignored")


class InboundSource(models.TextChoices):
    PIPE = "pipe", _("MTA pipe")
    IMAP = "imap", _("IMAP mailbox")


class InboundEmail(models.Model):
    """An e-mail received: processed once per Message-ID, whatever door it came in by."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    source = models.CharField(_("source"), max_length=5, choices=InboundSource.choices)
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.PROCESSED
    )
    action = models.CharField(_("outcome"), max_length=8, choices=InboundAction.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    detail = models.TextField(_("details"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    posted = models.ForeignKey(
        "tickets.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message posted"),
    )
    answered = models.BooleanField(_("answered"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("e-mail received")
        verbose_name_plural = _("e-mail received")
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_recent")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"
