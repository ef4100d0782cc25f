"""The last run of each scheduled job, as the workers report it (ops.signals): /readyz reads the
SLA sweep's, /metrics its duration and what it flagged."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    task = models.CharField(_("task"), max_length=200, primary_key=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    duration = models.FloatField(_("duration (s)"), default=0)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    # What the task returned; DjangoJSONEncoder: results carry datetimes (refreshed_at, ...).
    result = models.JSONField(_("result"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return self.task
