"""Who is support staff and what they may do: the one check the services, the admin and the API
share (docs/spec.md "Roles").

A role is a group: "support engineer" or "support manager" (accounts/roles.py holds what each
may do, ROLE_PERMISSIONS, and keeps the groups in step with it on every migrate). `is_staff`
alone grants nothing: staff without a role can neither enter the admin nor act through the API
or a service. Superusers hold every permission, like a manager.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import ServiceError

ENGINEER = "support engineer"
MANAGER = "support manager"
ROLES = (ENGINEER, MANAGER)


def _role_facts(user) -> tuple[frozenset[str], frozenset[str]]:
    """The user's roles and the permissions they give, in one query, read once per user
    object (like Django's own permission cache)."""
    cached = user.__dict__.get("_support_roles")
    if cached is None:
        rows = Group.objects.filter(user=user, name__in=ROLES).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        roles, permissions = set(), set()
        for name, app_label, codename in rows:
            roles.add(name)
            if codename:
                permissions.add(f"{app_label}.{codename}")
        cached = user.__dict__["_support_roles"] = (frozenset(roles), frozenset(permissions))
    return cached


def _roles(user) -> frozenset[str]:
    return _role_facts(user)[0]


def _active_staff(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def is_support_staff(user) -> bool:
    """An active member of the vendor's support staff with a role (engineer or manager)."""
    return _active_staff(user) and (user.is_superuser or bool(_roles(user)))


def is_support_manager(user) -> bool:
    """An active support manager (or superuser): edits targets and calendars, verifies contracts,
    decides registrations, receives SLA alerts."""
    return _active_staff(user) and (user.is_superuser or MANAGER in _roles(user))


def has_staff_permission(user, permission: str) -> bool:
    """Support staff holding `permission` ("app_label.codename") through their role (a
    superuser holds every one). Permissions given to a user outside a role count for nothing."""
    if not is_support_staff(user):
        return False
    return user.is_superuser or permission in _role_facts(user)[1]


def require_staff_permission(user, permission: str, message=None) -> None:
    """Refuse (ServiceError, code "forbidden") unless `user` is support staff with `permission`."""
    if not has_staff_permission(user, permission):
        raise ServiceError(message or _("You are not allowed to do this."), code="forbidden")


def forget_roles(user) -> None:
    """Drop what was read about `user`'s roles and permissions (after a change of groups)."""
    for attr in ("_support_roles", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


def holds_role(*roles: str, user: str = "pk") -> Exists:
    """SQL: the user at `user` (a path from the outer query) holds one of `roles`."""
    return Exists(Group.objects.filter(user=OuterRef(user), name__in=roles))


def support_staff_q(user: str = "") -> Q:
    """What is_support_staff checks, as one condition of a query (`user` is the path to the
    user, "" for the user model itself): read set-wise instead of a roles query per user."""
    at = f"{user}__" if user else ""
    return Q(
        Q(**{f"{at}is_superuser": True}) | holds_role(*ROLES, user=user or "pk"),
        **{f"{at}is_active": True, f"{at}is_staff": True},
    )


def support_manager_q() -> Q:
    """What is_support_manager checks, as one condition of a query on users."""
    return Q(Q(is_superuser=True) | holds_role(MANAGER), is_active=True, is_staff=True)


def support_staff() -> QuerySet:
    """Active users with a support role (or superusers), e.g. the engineers a ticket can go to."""
    return get_user_model().objects.filter(support_staff_q())


def support_managers() -> QuerySet:
    """Active support managers: who receives SLA alerts and registration notices."""
    return (
        get_user_model()
        .objects.filter(groups__name=MANAGER, is_active=True, is_staff=True)
        .distinct()
    )


def requires_two_factor(user) -> bool:
    """Managers and superusers always log in with a second factor; engineers when the setting
    OTP_REQUIRED_FOR_ENGINEERS is true (the default)."""
    if not _active_staff(user):
        return False
    if user.is_superuser or MANAGER in _roles(user):
        return True
    return bool(settings.OTP_REQUIRED_FOR_ENGINEERS and ENGINEER in _roles(user))
