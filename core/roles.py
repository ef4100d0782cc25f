"""Who is support staff. The one check the services, the admin and the API share."""


def is_support_staff(user) -> bool:
    """An active, logged-in member of the vendor's support staff (engineer or manager)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def is_support_manager(user) -> bool:
    return is_support_staff(user) and bool(getattr(user, "is_support_manager", False))
