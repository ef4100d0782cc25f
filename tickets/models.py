"""Tickets, their thread (messages and attachments), the append-only history, agreed resolution
times, remote sessions, and their SLA clocks with the sweep's alert outbox. State changes go
through tickets.services (the clocks' through tickets.sla) only.

One state enum, `SlaState`, serves a clock and a ticket's SLA summary: a clock is stored
running, paused, met, breached or not applicable; "at risk" is how a running clock past its
at-risk mark is shown, and a ticket shows the worst state of its clocks (tickets.sla.summary).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sla.models import Channel, Metric, Priority, TargetUnit


class TicketStatus(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    WAITING = "waiting", _("waiting for customer")
    RESTORED = "restored", _("restored")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


class SlaState(models.TextChoices):
    """Worst first: a ticket's summary is the first of these that one of its clocks shows."""

    BREACHED = "breached", _("breached")
    AT_RISK = "at_risk", _("at risk")
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


OPEN_STATUSES = [
    TicketStatus.NEW,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING,
    TicketStatus.RESTORED,
]


class Ticket(models.Model):
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    product = models.ForeignKey(
        "contracts.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        "contracts.ProductVersion",
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    original_priority = models.CharField(
        _("original priority"), max_length=2, choices=Priority.choices
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reported_tickets",
        verbose_name=_("reporter"),
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by (staff)"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("engineer"),
        limit_choices_to={"is_staff": True},
    )
    on_duty_name = models.CharField(_("on-duty contact"), max_length=150, blank=True)
    on_duty_phone = models.CharField(_("on-duty phone"), max_length=40, blank=True)
    unmodified_build = models.BooleanField(
        _("unmodified build declared"),
        default=False,
        help_text=_("The reporter declares the software is neither modified nor recompiled."),
    )
    unsupported_build = models.BooleanField(_("unsupported build"), default=False)
    fix_target = models.BooleanField(
        _("fix target"),
        default=True,
        help_text=_(
            "Off when the product version is past its end of maintenance: no fix time is "
            "promised, only the response and restore times."
        ),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    environment = models.TextField(_("environment"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TicketStatus.choices,
        default=TicketStatus.NEW,
    )
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Denormalised from the clocks for list ordering and filtering without a join per row:
    # the nearest due time of a running clock, and the worst SLA state of the ticket.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, db_index=True)
    sla_state = models.CharField(_("SLA"), max_length=15, choices=SlaState.choices, blank=True)
    # The desk's order as one indexed key (ticket_desk_order): breached, then at risk, then the
    # rest; within each, tickets with a running clock (a next due time) before those without,
    # so that ordering by (sla_rank, next_due_at) never depends on where a database puts NULLs.
    sla_rank = models.GeneratedField(
        expression=models.Case(
            models.When(sla_state="breached", next_due_at__isnull=False, then=models.Value(0)),
            models.When(sla_state="breached", then=models.Value(1)),
            models.When(sla_state="at_risk", next_due_at__isnull=False, then=models.Value(2)),
            models.When(sla_state="at_risk", then=models.Value(3)),
            models.When(next_due_at__isnull=False, then=models.Value(4)),
            default=models.Value(5),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        verbose_name=_("SLA order"),
    )
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
        help_text=_("The closed ticket this one continues."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["contract", "status"], name="ticket_contract_status"),
            # The desk list reads this index in order (tickets.admin.tickets.DESK_ORDERING).
            models.Index(
                fields=["sla_rank", "next_due_at", "-opened_at", "-id"], name="ticket_desk_order"
            ),
            # The same order within a status (waiting on the customer, a status filter), and
            # the desk's views' counts by status.
            models.Index(
                fields=["status", "sla_rank", "next_due_at", "-opened_at", "-id"],
                name="ticket_status_desk_order",
            ),
            # "My tickets" and "unassigned": an engineer's open tickets, their count.
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            # A filter by SLA state. Status is indexed by ticket_status_desk_order (its first
            # column); neither has the LIKE index of db_index=True: every write of a ticket's
            # SLA summary (a thousand per sweep tick at worst) keeps up one index less each.
            models.Index(fields=["sla_state"], name="ticket_sla_state"),
            # The desk list sorted by its subject column, filtered or not: read in order, not
            # a sort of every matching ticket (a status's 25,000 of 100,000 took 45 ms).
            models.Index(fields=["subject"], name="ticket_subject_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class MessageKind(models.TextChoices):
    REPLY = "reply", _("reply")
    CALL = "call", _("logged call")
    NOTE = "note", _("internal note")


class Message(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(
        _("kind"), max_length=5, choices=MessageKind.choices, default=MessageKind.REPLY
    )
    public = models.BooleanField(_("visible to the customer"), default=True)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A log or archive; stored privately, downloaded only through a view that checks access."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class EventField(models.TextChoices):
    """What a history entry records."""

    OPENED = "opened", _("opened")
    STATUS = "status", _("status")
    PRIORITY = "priority", _("priority")
    ASSIGNEE = "assignee", _("engineer")
    DUE_RESPONSE = "due_response", _("response due")
    DUE_RESTORE = "due_restore", _("restore due")
    DUE_FIX = "due_fix", _("fix due")
    SLA_RESPONSE = "sla_response", _("response clock")
    SLA_RESTORE = "sla_restore", _("restore clock")
    SLA_FIX = "sla_fix", _("fix clock")
    AGREEMENT = "agreement", _("agreed resolution time")
    UNSUPPORTED_BUILD = "unsupported_build", _("unsupported build")
    REMOTE_SESSION = "remote_session", _("remote session")


# The reasons the system writes into the history, by code (tickets.history.system_reason). The
# sweep's are one code per metric and kind (`response_breached`): it writes them set-wise in
# SQL, without parameters.
SYSTEM_REASONS = {
    "customer_replied": _("The customer replied."),
    "customer_replied_resolved": _("The customer replied to the resolved ticket."),
    "ticket_resolved": _("The ticket was resolved."),
    "consent_recorded": _("Written consent of the customer recorded by support."),
    "accepted_by_customer": _("Accepted by the customer."),
    "no_fix_target": _(
        "No fix target: %(product)s %(version)s is past its end of maintenance (%(date)s)."
    ),
}
SWEEP_REASON_METRICS = {
    f"{metric}_{kind}": metric for metric in Metric.values for kind in ("breached", "at_risk")
}
SYSTEM_REASONS.update(
    {
        code: _("%(metric)s target breached")
        if code.endswith("_breached")
        else _("%(metric)s target at risk")
        for code in SWEEP_REASON_METRICS
    }
)


class TicketEvent(models.Model):
    """Append-only history: who changed what, when, from what to what, and why."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Empty when the portal made the change on its own, for example a breach "
            "noticed by the SLA check."
        ),
    )
    at = models.DateTimeField(_("when"))
    field = models.CharField(_("what"), max_length=40, choices=EventField.choices)
    before = models.CharField(_("before"), max_length=200, blank=True)
    after = models.CharField(_("after"), max_length=200, blank=True)
    reason = models.TextField(_("why"), blank=True)
    # A reason the system wrote (tickets.history.SYSTEM_REASONS): shown in the reader's language;
    # `reason` then keeps its English text for search.
    reason_code = models.CharField(
        _("system reason"), max_length=40, blank=True, default="", db_default=""
    )
    reason_params = models.JSONField(_("system reason parameters"), null=True, blank=True)
    public = models.BooleanField(_("visible to the customer"), default=True)
    # One action is one entry: its first change is field/before/after, the others follow here
    # as {"field", "before", "after"[, "reason"]} (tickets.history.grouped).
    changes = models.JSONField(_("further changes"), default=list, blank=True)
    internal_note = models.TextField(
        _("internal note"),
        blank=True,
        help_text=_("Support staff only: never shown to the customer, in the API or in e-mail."),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_field_display()}"

    @property
    def reason_text(self) -> str:
        """Why, in the active language: a system reason rendered from its code, else as typed."""
        text = SYSTEM_REASONS.get(self.reason_code)
        if text is None:
            return self.reason
        params = dict(self.reason_params or {})
        metric = SWEEP_REASON_METRICS.get(self.reason_code)
        if metric is not None:
            params["metric"] = Metric(metric).label
        return str(text) % params if params else str(text)

    @property
    def all_changes(self) -> list[dict]:
        """Every change of the entry's action, the first one included."""
        first = {"field": self.field, "before": self.before, "after": self.after}
        changes = []
        for change in self.changes or []:
            if change.get("reason_code") in SYSTEM_REASONS:
                # A system reason of a further change: in the reader's language.
                reason = TicketEvent(
                    reason_code=change["reason_code"], reason_params=change.get("reason_params")
                ).reason_text
                change = {**change, "reason": reason}
            changes.append(change)
        return [first, *changes]


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Agreement(models.Model):
    """A resolution time proposed by support; it takes effect once the customer accepts it."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="agreements"
    )
    due_at = models.DateTimeField(_("proposed resolution time"))
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AgreementStatus.choices,
        default=AgreementStatus.PROPOSED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    written_consent = models.BooleanField(_("written consent recorded by support"), default=False)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("agreed resolution time")
        verbose_name_plural = _("agreed resolution times")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="proposed"),
                name="agreement_one_open_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.due_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class SessionStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    DONE = "done", _("held")
    CANCELLED = "cancelled", _("cancelled")


class RemoteSession(models.Model):
    """A screen-sharing session, booked inside the contract's service hours."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="remote_sessions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    project_context = models.TextField(
        _("project context"), help_text=_("Deployment, versions, what is failing.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.REQUESTED
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    next_steps = models.TextField(_("next steps"), blank=True)
    follow_up = models.TextField(_("planned follow-up"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("remote session")
        verbose_name_plural = _("remote sessions")

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Clock(models.Model):
    """One SLA clock of a ticket (response, restore or fix). The deadline is stored on the row
    (`due_at`, and `at_risk_at` for the 75 % mark) so the beat job finds what fell due with an
    index scan, and claims it with a conditional UPDATE on `breached_at` / `at_risk_flagged_at`.

    Times are UTC. `paused_total` is the service time spent paused (waiting for the customer);
    the due time has already been moved on by it."""

    # Indexed by clock_unique_metric (ticket, metric): no index of its own to keep up.
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="clocks",
        db_index=False,
    )
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    state = models.CharField(
        _("state"), max_length=15, choices=SlaState.choices, default=SlaState.RUNNING
    )
    started_at = models.DateTimeField(_("clock start"))
    target_amount = models.PositiveIntegerField(_("target"), null=True, blank=True)
    target_unit = models.CharField(_("unit"), max_length=5, choices=TargetUnit.choices, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    at_risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    agreed = models.BooleanField(
        _("agreed due time"),
        default=False,
        help_text=_(
            "The customer accepted this due time; later changes of the SLA targets leave it alone."
        ),
    )
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_total = models.DurationField(_("service time paused"), default=timedelta)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    at_risk_flagged_at = models.DateTimeField(_("flagged at risk"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["ticket", "metric"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="clock_unique_metric"),
            # "At risk" is how a running clock is shown, never a state it is stored in.
            models.CheckConstraint(
                condition=~models.Q(state=SlaState.AT_RISK), name="clock_state_stored"
            ),
        ]
        indexes = [
            # The sweeps: "running, due, not yet flagged". Partial indexes stay as small as the
            # set of running clocks, whatever the history holds.
            models.Index(
                fields=["due_at"],
                name="clock_breach_scan",
                condition=models.Q(state="running", breached_at__isnull=True),
            ),
            models.Index(
                fields=["at_risk_at"],
                name="clock_at_risk_scan",
                condition=models.Q(state="running", at_risk_flagged_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.get_metric_display()} {self.get_state_display()}"


class AlertKind(models.TextChoices):
    AT_RISK = "at_risk", _("at risk")
    BREACHED = "breached", _("breached")


class ClockAlert(models.Model):
    """An SLA alert: written by the sweep in the transaction that flags the clock; the unique
    (clock, kind) is the final guard against a second alert. Its deliveries (one per recipient)
    wait in the notification outbox (tickets.notifications)."""

    # Indexed by alert_once_per_clock_kind (clock, kind).
    clock = models.ForeignKey(
        Clock,
        verbose_name=_("clock"),
        on_delete=models.CASCADE,
        related_name="alerts",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AlertKind.choices)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind"], name="alert_once_per_clock_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.get_kind_display()}"


class CannedReply(models.Model):
    """A reply text support managers keep and engineers insert into a reply, with the ticket's
    facts filled in (tickets.canned)."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders filled in when inserted: {customer_name} (the reporter's name), "
            "{customer} (the customer organisation), {ticket} (the ticket number), {subject}, "
            "{priority}, {response_due}, {restore_due}, {resolve_due} (due times in the "
            "contract's time zone, named), {engineer} (the engineer inserting it). Any other "
            "{name} stays as written."
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active replies are offered to engineers.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class Satisfaction(models.Model):
    """How a user of the customer rated the handling of a resolved ticket: 1 (bad) to 5 (very
    good), with an optional comment. One per ticket and user; rating again replaces it
    (tickets.services.satisfaction_rate)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="satisfactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="satisfactions"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        permissions = [("view_satisfaction_averages", "Can see the satisfaction averages")]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="satisfaction_once_per_user"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="satisfaction_created")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.score}/5"


class SlaFigure(models.Model):
    """The SLA report's figures for one month of opening (UTC), tier, priority and metric,
    brought up to date from the clocks by tickets.sla.figures (the months a change touched are
    recounted; a rebuild recounts all). The report reads these rows, never the history."""

    month = models.DateField(_("month"))
    tier = models.ForeignKey(
        "sla.Tier", on_delete=models.CASCADE, related_name="+", verbose_name=_("tier")
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    tickets = models.PositiveIntegerField(_("tickets"), default=0)
    targets = models.PositiveIntegerField(_("targets"), default=0)
    met = models.PositiveIntegerField(_("met"), default=0)
    breached = models.PositiveIntegerField(_("breached"), default=0)

    class Meta:
        ordering = ["-month", "tier", "priority", "metric"]
        verbose_name = _("SLA report figure")
        verbose_name_plural = _("SLA report figures")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "tier", "priority", "metric"], name="sla_figure_unique_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.tier_id} {self.priority} {self.metric}"


class SlaFigureStale(models.Model):
    """A month whose figures a change made stale: written in the transaction of the change (an
    insert, so concurrent changes never wait on each other), removed when the month is
    recounted."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("stale SLA report month")
        verbose_name_plural = _("stale SLA report months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class SlaFigureState(models.Model):
    """One row: when the figures were last brought up to date and last rebuilt; its row lock
    serialises the recounts."""

    refreshed_at = models.DateTimeField(_("brought up to date"), null=True, blank=True)
    rebuilt_at = models.DateTimeField(_("rebuilt from history"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA report state")
        verbose_name_plural = _("SLA report state")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
