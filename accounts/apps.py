from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # this module holds AxesConfig too
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import receivers, roles

        post_migrate.connect(
            roles.sync_roles_after_migrate, sender=self, dispatch_uid="accounts.sync_roles"
        )
        receivers.connect()


class AxesConfig(AxesAppConfig):
    """django-axes under a name the desk translates (its own has none: "Axes")."""

    verbose_name = _("Login lockouts")
