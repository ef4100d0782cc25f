"""Shared pieces of the contracts admin: badges, and actions that run a service per object
(optionally after an intermediate page asking for a reason or a choice)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from config.errors import ServiceError
from contracts.models import ContractStatus, PartnerStatus, RegistrationStatus

COLOURS = {
    "green": "#1b7f3b",
    "amber": "#a15c00",
    "red": "#b42318",
    "grey": "#5f6b7a",
    "blue": "#1d4ed8",
}

STATUS_COLOURS = {
    ContractStatus.PENDING: "amber",
    ContractStatus.ACTIVE: "green",
    ContractStatus.EXPIRED: "grey",
    ContractStatus.SUSPENDED: "red",
    ContractStatus.REJECTED: "red",
    RegistrationStatus.APPROVED: "green",
    PartnerStatus.LAPSED: "grey",
    PartnerStatus.REVOKED: "red",
}


def badge(text, colour: str = "grey", title: str = ""):
    return format_html(
        '<span title="{}" style="display:inline-block;padding:0 .55em;border-radius:1em;'
        'color:#fff;background:{};font-weight:600;font-size:.85em;white-space:nowrap">{}</span>',
        title,
        COLOURS[colour],
        text,
    )


def status_badge(value: str, label) -> str:
    return badge(label, STATUS_COLOURS.get(value, "grey"))


def run_service_each(
    modeladmin, request, objects, call: Callable, done_message: Callable[[int], str]
) -> int:
    """Call `call(obj, now)` for each object; refusals become error messages naming the
    object, successes one summary message (`done_message(count)` has %(count)d)."""
    now = timezone.now()
    done = 0
    for obj in objects:
        try:
            call(obj, now)
        except ServiceError as exc:
            modeladmin.message_user(
                request,
                _("%(object)s: %(error)s") % {"object": obj, "error": exc.message},
                level=messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, done_message(done) % {"count": done}, level=messages.SUCCESS
        )
    return done


def render_action_form(
    modeladmin,
    request,
    *,
    objects,
    form,
    title: str,
    intro: str,
    submit_label: str,
    action_name: str = "",
):
    """The intermediate page of an action (or of a one-object view when action_name is
    empty): what will change, the form, and a button that posts back with `apply`."""
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "objects": list(objects),
        "form": form,
        "opts": opts,
        "app_label": opts.app_label,
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "submit_label": submit_label,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/contracts/action_form.html", context)
