from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel: the error type, roles, how a moment and a badge are shown, private
    file downloads, the admin's service actions and the API's common parts. It imports no app
    of the project, so every app may import it."""

    name = "core"
    verbose_name = _("Core")
