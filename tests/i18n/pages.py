"""The pages a persona can open, collected from the site itself: every route of the portal
(`portal.urls`, ids filled from the seeded objects) and, in the support desk, the index, the app
pages and, for every registered model, its change list, add page and the pages of a sample
object (change, history, every extra route of its ModelAdmin such as the service actions and
"log a ticket"). A new page is covered by being routed; only routes with ids this module cannot
guess need an entry in PORTAL_IDS."""

import re

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import models
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The system-written fields: their text must be shown translated, so it is not user data.
SYSTEM_TEXT_FIELDS = {
    ("tickets", "ticketevent", "reason"),
    ("tickets", "ticketevent", "before"),
    ("tickets", "ticketevent", "after"),
}
SKIPPED_APPS = {"contenttypes", "sessions", "otp_totp", "otp_static", "knox", "axes"}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def user_data_values() -> set[str]:
    """Every text value stored in the database by people or reference data (names, subjects,
    bodies, numbers, e-mail addresses): what a page shows of them is not its chrome. Codes of
    choices are left out (a page must show their label), and so are the system's own texts."""
    values: set[str] = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in SKIPPED_APPS:
            continue
        fields = [
            f.name
            for f in meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and (meta.app_label, meta.model_name, f.name) not in SYSTEM_TEXT_FIELDS
            and f.name not in ("password", "codename")
        ]
        for name in fields:
            for value in model._default_manager.values_list(name, flat=True).distinct():
                if value and len(value.strip()) >= 3:
                    values.add(value.strip())
                    values.update(line.strip() for line in value.splitlines() if line.strip())
    # What people typed as a reason (the system's own reasons carry a code).
    from tickets.models import TicketEvent

    values.update(
        r.strip()
        for r in TicketEvent.objects.filter(reason_code="").values_list("reason", flat=True)
    )
    return values


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def portal_urls(ids: dict[str, dict[str, int]]) -> list[str]:
    """Every GET-able route of the portal, its parameters filled from `ids`: {url name: {parameter:
    value}}, or {parameter: value} under "*" for the parameters every route names alike."""
    from portal import urls as portal_urls_module

    urls = []
    for route, pattern in _routes(portal_urls_module.urlpatterns):
        params = [m.group("name") for m in CONVERTER.finditer(route)]
        name = f"portal:{pattern.name}"
        given = {**ids.get("*", {}), **ids.get(pattern.name, {})}
        missing = [p for p in params if p not in given]
        if missing:
            raise KeyError(f"portal:{pattern.name} needs ids for {missing}: add them to urls_for")
        urls.append(reverse(name, kwargs={p: given[p] for p in params}))
    return urls


def admin_urls(user) -> list[str]:
    """The desk's pages this user may open, by the admin site's registry and permissions."""
    site = admin.site
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    app_labels = set()
    for model, model_admin in site._registry.items():
        meta = model._meta
        if not model_admin.has_module_permission(request):
            continue
        if not (
            model_admin.has_view_permission(request) or model_admin.has_change_permission(request)
        ):
            continue
        app_labels.add(meta.app_label)
        info = meta.app_label, meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        sample = _sample(model_admin, request)
        for route, pattern in _routes(model_admin.get_urls()):
            params = [m.group("name") for m in CONVERTER.finditer(route)]
            if not pattern.name or pattern.name.endswith(("_changelist", "_add", "_delete")):
                continue
            if not params:
                urls.append(reverse(f"admin:{pattern.name}"))
            elif params == ["object_id"] and sample is not None:
                urls.append(reverse(f"admin:{pattern.name}", args=[quote(sample.pk)]))
        if sample is not None and hasattr(model_admin, "available_actions"):
            urls += [a["url"] for a in model_admin.available_actions(request, sample)]
    urls += [reverse("admin:app_list", args=[label]) for label in sorted(app_labels)]
    return list(dict.fromkeys(urls))


def _sample(model_admin, request):
    """The object whose pages stand for all: the one with the most related rows would be best,
    the first is enough for chrome."""
    try:
        return model_admin.get_queryset(request).order_by("pk").first()
    except Exception:
        return None


def all_route_names() -> set[str]:
    return {p.name for _, p in _routes(get_resolver().url_patterns) if p.name}
