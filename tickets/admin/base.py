"""The support desk's building blocks: SLA badges, local times, and service actions (a small
form on its own admin page that calls one service; a refusal becomes an error message)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.errors import ServiceError
from tickets.models import SlaState


def sla_badge(state: str):
    state = state or SlaState.NOT_APPLICABLE
    try:
        label = SlaState(state).label
    except ValueError:
        label = state
    return format_html('<span class="sla-badge sla-{}">{}</span>', state, label)


def local_time(value: datetime | None, zone: str) -> str:
    """A UTC instant in the contract's time zone, as the support manager reads it."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(zone))
    return f"{date_format(local, 'Y-m-d H:i')} {local.tzname()}"


class SlaMedia:
    css = {"all": ["admin/css/sla.css"]}


@dataclass(frozen=True)
class ServiceAction:
    """One button of a change page. `run(obj, data, user, now)` calls a service and returns
    the success message; `shown(obj, context)` says whether the button applies now."""

    label: str
    form: type[forms.Form]
    run: Callable
    shown: Callable = field(default=lambda obj, context: True)
    help: str = ""


class ServiceActionAdmin(admin.ModelAdmin):
    """A read-only ModelAdmin whose changes go through service actions only."""

    service_actions: dict[str, ServiceAction] = {}
    action_template = "admin/tickets/service_action.html"
    change_form_template = "admin/tickets/change_form_actions.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The change page is a read-only view; every change is a service action.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_action_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def ticket_of(self, obj):
        return obj.ticket

    def action_context(self, obj) -> dict:
        """Facts the `shown` tests need (computed once per page)."""
        return {}

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/do/<slug:action>/",
                self.admin_site.admin_view(self.service_action_view),
                name="{}_{}_do".format(*info),
            ),
            *super().get_urls(),
        ]

    def available_actions(self, request, obj) -> list[dict]:
        if obj is None or not self.has_action_permission(request):
            return []
        info = self.opts.app_label, self.opts.model_name
        context = self.action_context(obj)
        return [
            {
                "key": key,
                "label": action.label,
                "url": reverse(
                    "admin:{}_{}_do".format(*info),
                    args=[obj.pk, key],
                    current_app=self.admin_site.name,
                ),
            }
            for key, action in self.service_actions.items()
            if action.shown(obj, context)
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["service_actions"] = self.available_actions(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def service_action_view(self, request, object_id, action):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        spec = self.service_actions.get(action)
        if spec is None:
            raise Http404
        if not self.has_action_permission(request):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )
        ticket = self.ticket_of(obj)
        # Times typed into the form are local times of the contract.
        with timezone.override(ZoneInfo(ticket.contract.timezone)):
            form = spec.form(
                request.POST if request.method == "POST" else None,
                request.FILES if request.method == "POST" else None,
                obj=obj,
            )
            if request.method == "POST" and form.is_valid():
                try:
                    done = spec.run(obj, form.cleaned_data, request.user, timezone.now())
                except ServiceError as exc:
                    self.message_user(request, exc.message, level=messages.ERROR)
                    if exc.field in form.fields:
                        form.add_error(exc.field, exc.message)
                else:
                    self.message_user(request, done, level=messages.SUCCESS)
                    return redirect(change_url)
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": spec.label,
                "subtitle": str(obj),
                "object": obj,
                "ticket": ticket,
                "action": spec,
                "form": form,
                "media": self.media + form.media,
                "change_url": change_url,
                "time_zone": ticket.contract.timezone,
                "has_view_permission": self.has_view_permission(request, obj),
            }
            return TemplateResponse(request, self.action_template, context)


class ActionForm(forms.Form):
    """Base of the action forms: they receive the object the action applies to."""

    def __init__(self, *args, obj=None, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalNoteForm(ActionForm):
    note = forms.CharField(
        label=_("Note for the history"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
