"""The admin's one way of changing things through services: a `ServiceAction` is a small form
and a call to one service. The same action is a button on an object's change page (its own
page, `<id>/do/<key>/`) and, when listed in `list_service_actions`, an action of the change
list that runs it for each selected object (asking for the form's fields first, if it has
any). A refusal (ServiceError) becomes an error message naming the object; nothing is written
by the admin itself."""

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.roles import has_staff_permission


class ActionForm(forms.Form):
    """Base of the action forms: they receive the object the action applies to (None when the
    action runs on a selection of the change list)."""

    def __init__(self, *args, obj=None, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)


class ConfirmForm(ActionForm):
    """No question to ask: the page only confirms."""


@dataclass(frozen=True)
class ServiceAction:
    """One service call. `run(obj, data, user, now)` calls the service and returns the success
    message; `shown(obj, context)` says whether the button applies to the object now;
    `done(count)` words the summary of a run over a selection (with %(count)d). `permission`
    is the model permission it needs ("change", or a custom one of the model's Meta)."""

    label: str
    form: type[forms.Form]
    run: Callable
    shown: Callable = field(default=lambda obj, context: True)
    help: str = ""
    done: Callable[[int], str] | None = None
    permission: str = "change"
    # The wording in the change list's action menu (default: `label`).
    list_label: str = ""
    # The confirmation page's title, asked about the objects (default: `label`), e.g.
    # "Approve registration C-1?"; the button keeps `label`.
    question: Callable[[list], str] | None = None


class ServiceActionsMixin:
    """Gives a ModelAdmin the `service_actions` (buttons on the change page) and, for the keys in
    `list_service_actions`, the same actions on the change list."""

    service_actions: dict[str, ServiceAction] = {}
    list_service_actions: tuple[str, ...] = ()
    action_template = "admin/service_action.html"
    change_form_template = "admin/change_form_service_actions.html"
    # A template included at the top of an action's page to say what the object is.
    action_summary_template = ""

    # --- hooks -----------------------------------------------------------------------------------
    def has_service_permission(self, request, action: ServiceAction) -> bool:
        opts = self.opts
        return has_staff_permission(
            request.user, f"{opts.app_label}.{action.permission}_{opts.model_name}"
        )

    def action_context(self, obj) -> dict:
        """Facts the `shown` tests need (computed once per page)."""
        return {}

    def action_time_zone(self, obj) -> str:
        """The zone in which times typed into an action's form are read (default: UTC)."""
        return ""

    def action_page_context(self, obj) -> dict:
        """More context for the action page's summary template."""
        return {}

    # --- the change page's buttons ---------------------------------------------------------------
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
        if obj is None:
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
            if self.has_service_permission(request, action) and action.shown(obj, context)
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["service_actions"] = self.available_actions(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def service_action_view(self, request, object_id, action):
        obj = self.get_object(request, unquote(object_id))
        spec = self.service_actions.get(action)
        if obj is None or spec is None:
            raise Http404
        if not self.has_service_permission(request, spec):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )
        zone = self.action_time_zone(obj)
        with timezone.override(ZoneInfo(zone) if zone else timezone.get_current_timezone()):
            posted = request.method == "POST"
            form = spec.form(
                request.POST if posted else None, request.FILES if posted else None, obj=obj
            )
            if posted and form.is_valid():
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
                "object": obj,
                "objects": [obj],
                "change_url": change_url,
                "cancel_url": change_url,
                "time_zone": zone,
                **self.action_page_context(obj),
            }
            return self._render_action(request, spec, form, context)

    # --- the change list's actions ---------------------------------------------------------------
    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for key in self.list_service_actions:
            spec = self.service_actions[key]
            if self.has_service_permission(request, spec):
                label = spec.list_label or spec.label
                description = f"{label}…" if spec.form().fields else label
                actions[key] = (self._list_action(key), key, description)
        return actions

    def _list_action(self, key: str):
        def run_for_selection(modeladmin, request, queryset):
            return modeladmin.run_service_action(request, key, queryset)

        return run_for_selection

    def run_service_action(self, request, key: str, queryset):
        """Run action `key` for each object of the selection: the form first when it asks for
        something (the page posts back with `apply`), then one summary message."""
        spec = self.service_actions[key]
        form = spec.form(request.POST if "apply" in request.POST else None)
        if form.fields and not (form.is_bound and form.is_valid()):
            changelist = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                current_app=self.admin_site.name,
            )
            context = {
                "objects": list(queryset),
                "action_name": key,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "cancel_url": changelist,
            }
            return self._render_action(request, spec, form, context)
        data = form.cleaned_data if form.fields else {}
        now = timezone.now()
        count = 0
        for obj in queryset:
            try:
                spec.run(obj, data, request.user, now)
            except ServiceError as exc:
                self.message_user(
                    request,
                    _("%(object)s: %(error)s") % {"object": obj, "error": exc.message},
                    level=messages.ERROR,
                )
            else:
                count += 1
        if count:
            message = spec.done(count) % {"count": count} if spec.done else spec.label
            self.message_user(request, message, level=messages.SUCCESS)
        return None

    def _render_action(self, request, spec: ServiceAction, form, context: dict):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": spec.label,
            "action": spec,
            "form": form,
            "media": self.media + form.media,
            "summary_template": self.action_summary_template,
            "has_view_permission": True,
            **context,
        }
        if spec.question is not None:
            context["title"] = spec.question(list(context.get("objects") or []))
        return TemplateResponse(request, self.action_template, context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A ModelAdmin whose change page only shows: every change goes through a service."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
