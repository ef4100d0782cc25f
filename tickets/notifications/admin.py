"""The back office of notifications: the outbox (unsent and failed deliveries first, "retry
now"), the on-call rota and chat webhooks (support managers, through model permissions), the
e-mail received (outcome, reason, the error of a message that failed), and each staff member's
own notification level ("My notifications")."""

from functools import lru_cache

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_actions import ConfirmForm, ReadOnlyAdmin, ServiceAction, ServiceActionsMixin
from core.admin_list import DeskListMixin
from core.badges import badge
from core.errors import ServiceError
from core.pagination import CappedPaginator
from core.roles import is_support_staff
from core.timefmt import local_time
from sla.models import Metric
from tickets.notifications.events import webhook_test
from tickets.notifications.models import (
    ChatWebhook,
    Event,
    InboundAction,
    InboundEmail,
    InboundStatus,
    Level,
    Notification,
    NotificationSetting,
    OnCallShift,
)
from tickets.notifications.render import ticket_link
from tickets.notifications.selectors import notification_level_of
from tickets.notifications.sending import outbox_retry
from tickets.notifications.services import notification_level_set


@lru_cache(maxsize=512)
def _event_words(language: str | None, event: str, metric: str) -> str:
    """An outbox row's event in words, per language (the outbox lists a hundred rows a page)."""
    metric_label = dict(Metric.choices).get(metric)
    if metric_label and event == Event.SLA_BREACHED:
        return _("%(metric)s target breached") % {"metric": metric_label}
    if metric_label and event == Event.SLA_AT_RISK:
        return _("%(metric)s target at risk") % {"metric": metric_label}
    return str(dict(Event.choices).get(event, event))


def _zone(ticket) -> str:
    return ticket.contract.timezone if ticket is not None else settings.SUPPORT_TIME_ZONE


# --- the outbox -------------------------------------------------------------------------------


class DeliveryFilter(admin.SimpleListFilter):
    title = gettext_lazy("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("unsent", gettext_lazy("unsent")),
            ("failed", gettext_lazy("failed, will be retried")),
            ("sent", gettext_lazy("sent")),
            ("skipped", gettext_lazy("not sent (moot)")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "unsent":
            return queryset.filter(sent_at__isnull=True)
        if value == "failed":
            return queryset.filter(sent_at__isnull=True, attempts__gt=0)
        if value == "sent":
            return queryset.filter(sent_at__isnull=False, skipped="")
        if value == "skipped":
            return queryset.filter(sent_at__isnull=False).exclude(skipped="")
        return queryset


def _retry(obj, data, user, now):
    count = outbox_retry(ids=[obj.pk], now=now)
    if not count:
        raise ServiceError(_("This notification was sent already."), code="sent")
    return _("It will be sent on the next run.")


@admin.register(Notification)
class NotificationAdmin(ServiceActionsMixin, DeskListMixin, ReadOnlyAdmin):
    """The outbox. Unsent rows first; a row that failed says why and when it is tried again."""

    service_actions = {
        "retry": ServiceAction(
            label=gettext_lazy("Retry sending now"),
            form=ConfirmForm,
            run=_retry,
            shown=lambda obj, context: obj.sent_at is None,
            done=lambda count: ngettext(
                "%(count)d notification will be sent on the next run.",
                "%(count)d notifications will be sent on the next run.",
                count,
            ),
        )
    }
    list_service_actions = ("retry",)
    list_display = [
        "created",
        "event_words",
        "ticket_number",
        "ticket_subject",
        "recipient",
        "delivery",
        "attempts",
        "next_attempt",
        "error",
    ]
    list_display_links = None
    list_filter = [DeliveryFilter, "event", "channel", "staff"]
    list_select_related = ["ticket__contract", "webhook", "user", "alert__clock"]
    # What the columns (and each row's name, on its checkbox) read.
    list_only = (
        "event",
        "channel",
        "address",
        "created_at",
        "next_attempt_at",
        "attempts",
        "sent_at",
        "skipped",
        "last_error",
        "ticket__subject",
        "ticket__contract__timezone",
        "webhook__name",
        "user__first_name",
        "user__last_name",
        "alert__clock__metric",
    )
    # The outbox grows with every event: no second COUNT(*) of the whole table per page.
    show_full_result_count = False
    search_fields = ["=ticket__id", "address", "ticket__subject", "last_error"]
    # Newest first through the primary key (rows are written in time order): no sort of the
    # whole outbox per view; "created" stays sortable on demand.
    ordering = ["-pk"]
    paginator = CappedPaginator
    readonly_fields = [
        "event",
        "key",
        "channel",
        "ticket",
        "alert",
        "inbound",
        "user",
        "webhook",
        "address",
        "language",
        "staff",
        "urgency",
        "params",
        "created_at",
        "next_attempt_at",
        "claimed_by",
        "attempts",
        "sent_at",
        "skipped",
        "last_error",
    ]
    list_per_page = 100
    _ticket_url: str | None = None

    def get_queryset(self, request):
        return super().get_queryset(request).defer("params")

    @admin.display(description=gettext_lazy("created"), ordering="created_at")
    def created(self, obj: Notification):
        return local_time(obj.created_at, _zone(obj.ticket))

    @admin.display(description=gettext_lazy("event"), ordering="event")
    def event_words(self, obj: Notification):
        """What happened, in words: an SLA alert names the target (response, restore, fix)."""
        clock = obj.alert.clock if obj.alert_id else None
        metric = clock.metric if clock is not None else ""
        return _event_words(translation.get_language(), obj.event, metric)

    def _ticket_link(self, obj: Notification, text):
        # One reverse() per page, not two per row: the URL differs only by the ticket's id.
        if self._ticket_url is None:
            self._ticket_url = reverse("admin:tickets_ticket_change", args=[0])
        url = self._ticket_url.replace("/0/", f"/{obj.ticket_id}/")
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description=gettext_lazy("ticket"), ordering="ticket_id")
    def ticket_number(self, obj: Notification):
        return self._ticket_link(obj, f"#{obj.ticket_id}") if obj.ticket_id else "—"

    @admin.display(description=gettext_lazy("subject"))
    def ticket_subject(self, obj: Notification):
        return self._ticket_link(obj, obj.ticket.subject) if obj.ticket_id else "—"

    @admin.display(description=gettext_lazy("recipient"))
    def recipient(self, obj: Notification):
        """The person's name and address (e-mail), or the chat webhook's name."""
        name = obj.user.get_full_name() if obj.user_id else ""
        if name and obj.address:
            return format_html("{} &lt;{}&gt;", name, obj.address)
        return obj.recipient_label or "—"

    @admin.display(description=gettext_lazy("delivery"), ordering="sent_at")
    def delivery(self, obj: Notification):
        if obj.sent_at and obj.skipped:
            return badge(_("not sent"), "grey", title=obj.skipped)
        if obj.sent_at:
            return badge(_("sent"), "green", title=local_time(obj.sent_at, _zone(obj.ticket)))
        if obj.attempts:
            return badge(_("failed"), "red")
        return badge(_("waiting"), "amber")

    @admin.display(description=gettext_lazy("next attempt"), ordering="next_attempt_at")
    def next_attempt(self, obj: Notification):
        return "—" if obj.sent_at else local_time(obj.next_attempt_at, _zone(obj.ticket))

    @admin.display(description=gettext_lazy("last error"))
    def error(self, obj: Notification):
        return obj.last_error[:120] or obj.skipped[:120] or "—"


# --- on call, chat webhooks --------------------------------------------------------------------


class ZoneAwareAdmin(admin.ModelAdmin):
    """Times typed into and shown by these pages are the support team's (SUPPORT_TIME_ZONE)."""

    def changeform_view(self, request, *args, **kwargs):
        with timezone.override(settings.SUPPORT_TIME_ZONE):
            return super().changeform_view(request, *args, **kwargs)


class OnCallNowFilter(admin.SimpleListFilter):
    title = gettext_lazy("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("now", gettext_lazy("on call now")), ("coming", gettext_lazy("coming"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "now":
            return queryset.filter(starts_at__lte=now, ends_at__gt=now)
        if self.value() == "coming":
            return queryset.filter(starts_at__gt=now)
        return queryset


@admin.register(OnCallShift)
class OnCallShiftAdmin(ZoneAwareAdmin):
    """The rota: who is paged for new P1/P2 tickets and P1 replies (overlaps allowed; with
    nobody on call the managers are paged)."""

    list_display = ["engineer", "starts", "ends", "now_badge", "note"]
    list_filter = [OnCallNowFilter, ("engineer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["engineer"]
    search_fields = ["engineer__email", "engineer__first_name", "engineer__last_name", "note"]
    autocomplete_fields: list[str] = []
    ordering = ["-starts_at"]
    fields = ["engineer", "starts_at", "ends_at", "note"]

    @admin.display(description=gettext_lazy("from"), ordering="starts_at")
    def starts(self, obj: OnCallShift):
        return local_time(obj.starts_at, settings.SUPPORT_TIME_ZONE)

    @admin.display(description=gettext_lazy("until"), ordering="ends_at")
    def ends(self, obj: OnCallShift):
        return local_time(obj.ends_at, settings.SUPPORT_TIME_ZONE)

    @admin.display(description=gettext_lazy("now"))
    def now_badge(self, obj: OnCallShift):
        now = timezone.now()
        if obj.starts_at <= now < obj.ends_at:
            return badge(_("on call"), "green")
        return "—"


def _test(obj, data, user, now):
    webhook_test(webhook=obj, now=now)
    return _("A test message is on its way; the outbox shows when it was delivered.")


@admin.register(ChatWebhook)
class ChatWebhookAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Chat groups that hear pages and SLA alerts. The URL and secret are the robot's own."""

    service_actions = {
        "test": ServiceAction(
            label=gettext_lazy("Send a test message"),
            form=ConfirmForm,
            run=_test,
            shown=lambda obj, context: obj.active,
            done=lambda count: ngettext(
                "%(count)d test message queued.", "%(count)d test messages queued.", count
            ),
        )
    }
    list_service_actions = ("test",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "language", "pages", "sla_alerts", "active_badge"]
    list_filter = ["kind", "active", "pages", "sla_alerts"]
    search_fields = ["name"]
    fields = ["name", "kind", "url", "secret", "language", "pages", "sla_alerts", "active"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The secret is written, never shown back.
        form.base_fields["secret"].widget = forms.PasswordInput(render_value=True)
        return form

    @admin.display(description=gettext_lazy("active"), ordering="active")
    def active_badge(self, obj: ChatWebhook):
        return badge(_("active"), "green") if obj.active else badge(_("off"), "grey")


# --- e-mail received ----------------------------------------------------------------------------


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdmin):
    """Every e-mail the channel saw, once per Message-ID: what became of it and why; a message
    that failed (left in the mailbox, tried again) shows its error."""

    list_display = [
        "received",
        "sender",
        "subject",
        "source",
        "status_badge",
        "outcome",
        "reason",
        "ticket_number",
        "answered",
        "error",
    ]
    list_filter = ["status", "action", "source", "reason", "answered"]
    search_fields = ["sender", "subject", "message_id", "=ticket__id"]
    ordering = ["-received_at", "-pk"]
    readonly_fields = [
        "message_id",
        "source",
        "sender",
        "subject",
        "received_at",
        "status",
        "action",
        "reason",
        "detail",
        "ticket",
        "posted",
        "answered",
        "attempts",
    ]

    @admin.display(description=gettext_lazy("received"), ordering="received_at")
    def received(self, obj: InboundEmail):
        return local_time(obj.received_at, settings.SUPPORT_TIME_ZONE)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj: InboundEmail):
        if obj.status == InboundStatus.FAILED:
            return badge(obj.get_status_display(), "red")
        return badge(obj.get_status_display(), "green")

    @admin.display(description=gettext_lazy("outcome"), ordering="action")
    def outcome(self, obj: InboundEmail):
        tone = {
            InboundAction.REPLIED: "blue",
            InboundAction.OPENED: "green",
            InboundAction.REFUSED: "amber",
            InboundAction.IGNORED: "grey",
        }.get(obj.action, "")
        return badge(obj.get_action_display(), tone) if obj.action else "—"

    @admin.display(description=gettext_lazy("ticket"), ordering="ticket_id")
    def ticket_number(self, obj: InboundEmail):
        if not obj.ticket_id:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', ticket_link(obj.ticket_id, staff=True), obj.ticket_id
        )

    @admin.display(description=gettext_lazy("error"))
    def error(self, obj: InboundEmail):
        return obj.detail[:120] if obj.status == InboundStatus.FAILED else "—"


# --- each staff member's level -------------------------------------------------------------------


class LevelForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Notifications I receive by e-mail"),
        choices=Level.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "SLA alerts and pages (new P1 and P2 tickets, customer replies on P1 while you are on "
            "call) are always sent."
        ),
    )


@admin.register(NotificationSetting)
class NotificationSettingAdmin(ReadOnlyAdmin):
    """Managers see everyone's level; every staff member sets their own at "mine/"."""

    list_display = ["user", "level"]
    list_filter = ["level"]
    list_select_related = ["user"]
    search_fields = ["user__email"]

    def has_module_permission(self, request):
        return is_support_staff(request.user)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "mine/", self.admin_site.admin_view(self.mine_view), name="{}_{}_mine".format(*info)
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return redirect(reverse("admin:notifications_notificationsetting_mine"))
        return super().changelist_view(request, extra_context)

    def mine_view(self, request):
        if not is_support_staff(request.user):
            raise PermissionDenied
        form = LevelForm(
            request.POST or None, initial={"level": notification_level_of(request.user)}
        )
        if request.method == "POST" and form.is_valid():
            try:
                notification_level_set(user=request.user, level=form.cleaned_data["level"])
            except ServiceError as exc:
                form.add_error("level", exc.message)
            else:
                self.message_user(
                    request, _("Your notification setting is saved."), messages.SUCCESS
                )
                return redirect(reverse("admin:notifications_notificationsetting_mine"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("My notifications"),
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/notifications/mine.html", context)
