"""What each support role may do: the one table of permissions (docs/spec.md "Roles").

The groups "support engineer" and "support manager" are created by a migration of this app;
`sync_role_permissions` gives each exactly the permissions below after every `migrate`
(accounts.apps connects it to post_migrate), so a model added later joins a role by a line
here. Permissions are named "app_label.codename" and never imported: this module sits below
the apps whose models it names. The checks themselves are core.roles.
"""

import logging

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes

from core.roles import ENGINEER, MANAGER

logger = logging.getLogger(__name__)


def _crud(app_model: str, *actions: str) -> list[str]:
    """_crud("tickets.ticket", "view", "add") -> ["tickets.view_ticket", "tickets.add_ticket"]."""
    app, model = app_model.split(".")
    return [f"{app}.{action}_{model}" for action in actions]


# Permissions of the project's own, beyond Django's add/change/delete/view of each model:
# "app_label.codename" -> (model, name). The sync creates them.
CUSTOM_PERMISSIONS: dict[str, tuple[str, str]] = {
    "contracts.manage_contract": (
        "contract",
        "Can verify, suspend and reactivate contracts and change their tier",
    ),
    "contracts.decide_partnerregistration": (
        "partnerregistration",
        "Can approve and reject partner registrations",
    ),
}

# Engineers answer, triage and log tickets, manage named contacts, read the rest.
ENGINEER_PERMISSIONS: list[str] = [
    *_crud("tickets.ticket", "view", "add", "change"),
    *_crud("tickets.message", "view", "add"),
    *_crud("tickets.attachment", "view", "add"),
    *_crud("tickets.ticketevent", "view"),
    *_crud("tickets.agreement", "view", "add", "change"),
    *_crud("tickets.remotesession", "view", "add", "change"),
    *_crud("tickets.clock", "view"),
    *_crud("tickets.clockalert", "view", "change"),
    *_crud("tickets.satisfaction", "view"),
    # Canned replies: engineers read and insert them, managers keep them.
    *_crud("tickets.cannedreply", "view"),
    *_crud("contracts.contract", "view", "change"),
    *_crud("contracts.supportcontact", "view", "add", "change", "delete"),
    *_crud("contracts.customer", "view"),
    *_crud("contracts.partner", "view"),
    *_crud("contracts.partnerregistration", "view"),
    *_crud("contracts.product", "view"),
    *_crud("contracts.productversion", "view"),
    *_crud("contracts.contractreminder", "view"),
    *_crud("sla.tier", "view"),
    *_crud("sla.target", "view"),
    *_crud("sla.holidaycalendar", "view"),
    *_crud("sla.calendarday", "view"),
    # The outbox: read it and send a waiting delivery again ("retry now"); the rota and the
    # mail that came in, read only.
    *_crud("notifications.notification", "view", "change"),
    *_crud("notifications.inboundemail", "view"),
    *_crud("notifications.oncallshift", "view"),
]

# Managers also edit SLA targets, tiers and calendars, verify and suspend contracts, decide
# partner registrations, keep the catalogue and the partners, see the SLA report and unlock
# locked-out logins, keep the on-call rota and the chat webhooks.
MANAGER_PERMISSIONS: list[str] = [
    *ENGINEER_PERMISSIONS,
    "contracts.manage_contract",
    "contracts.decide_partnerregistration",
    *_crud("contracts.contract", "add"),
    *_crud("contracts.customer", "add", "change"),
    *_crud("contracts.partner", "add", "change"),
    *_crud("contracts.product", "add", "change"),
    *_crud("contracts.productversion", "add", "change"),
    *_crud("sla.tier", "change"),
    *_crud("sla.target", "change"),
    *_crud("sla.holidaycalendar", "add", "change", "delete"),
    *_crud("sla.calendarday", "add", "change", "delete"),
    *_crud("tickets.report", "view"),
    "tickets.view_satisfaction_averages",
    *_crud("tickets.cannedreply", "add", "change", "delete"),
    *_crud("axes.accessattempt", "view", "delete"),
    *_crud("axes.accesslog", "view"),
    *_crud("accounts.user", "view"),
    *_crud("notifications.oncallshift", "add", "change", "delete"),
    *_crud("notifications.chatwebhook", "view", "add", "change", "delete"),
    *_crud("notifications.notificationsetting", "view"),
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    ENGINEER: ENGINEER_PERMISSIONS,
    MANAGER: MANAGER_PERMISSIONS,
}


def sync_role_permissions(apps, using: str = "default", verbosity: int = 1) -> list[str]:
    """Create the role groups and the custom permissions if missing, and set each group's
    permissions to exactly its row of ROLE_PERMISSIONS. Returns the permissions of the table
    that do not exist (a model not migrated yet, or a typo); they are skipped."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    for name, (model, label) in CUSTOM_PERMISSIONS.items():
        app_label, codename = name.split(".")
        try:
            content_type = ContentType.objects.db_manager(using).get(
                app_label=app_label, model=model
            )
        except ContentType.DoesNotExist:
            continue
        Permission.objects.db_manager(using).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": label}
        )

    known = {
        f"{app}.{codename}": pk
        for pk, app, codename in Permission.objects.db_manager(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing: list[str] = []
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.db_manager(using).get_or_create(name=role)
        wanted = set()
        for name in names:
            if name in known:
                wanted.add(known[name])
            elif name not in missing:
                missing.append(name)
        current = set(group.permissions.values_list("pk", flat=True))
        if current - wanted:
            group.permissions.remove(*(current - wanted))
        if wanted - current:
            group.permissions.add(*(wanted - current))
    if missing and verbosity >= 1:
        logger.warning("Role permissions that do not exist (skipped): %s", ", ".join(missing))
    return missing


def sync_roles_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """post_migrate receiver: Django creates each app's permissions in that app's own
    post_migrate, and this app comes before the ones whose models it names, so make sure all
    exist first, then sync the groups."""
    migration_apps = apps or global_apps
    verbosity = kwargs.get("verbosity", 1)
    for config in global_apps.get_app_configs():
        create_contenttypes(config, verbosity=0, using=using, apps=migration_apps)
        create_permissions(config, verbosity=0, using=using, apps=migration_apps)
    sync_role_permissions(migration_apps, using=using, verbosity=verbosity)
