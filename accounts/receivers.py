"""A password change or reset, and a deactivation, revoke every API token of the user."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from accounts.tokens import api_tokens_revoke_all


def revoke_tokens_on_password_change_or_deactivation(sender, instance, created, **kwargs):
    # AbstractBaseUser.set_password keeps the new raw password in `_password` until the save
    # has finished: a post_save that sees it is a password change (admin, reset link, command).
    if created:
        return
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        api_tokens_revoke_all(user=instance)


def connect() -> None:
    post_save.connect(
        revoke_tokens_on_password_change_or_deactivation,
        sender=get_user_model(),
        dispatch_uid="accounts.revoke_tokens",
    )
